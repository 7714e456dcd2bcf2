using System.Net;

namespace Etcd.Server.Configuration;

/// <summary>The settings this server acts on, read from the parsed flags with etcd's defaults and checks.</summary>
public sealed class EtcdConfig
{
    public required string Name { get; init; }
    public required string DataDir { get; init; }
    public required string WalDir { get; init; }
    public ulong SnapshotCount { get; init; }
    public ulong SnapshotCatchUpEntries { get; init; }
    public ulong HeartbeatMs { get; init; }
    public ulong ElectionMs { get; init; }
    public bool InitialElectionTickAdvance { get; init; }
    public required IReadOnlyList<Uri> ListenClientUrls { get; init; }
    public required IReadOnlyList<Uri> ListenClientHttpUrls { get; init; }
    public required IReadOnlyList<Uri> AdvertiseClientUrls { get; init; }
    public required IReadOnlyList<Uri> ListenPeerUrls { get; init; }
    public required IReadOnlyList<Uri> InitialAdvertisePeerUrls { get; init; }
    public required IReadOnlyList<Uri> ListenMetricsUrls { get; init; }
    public required string InitialCluster { get; init; }
    public required string InitialClusterState { get; init; }
    public required string InitialClusterToken { get; init; }
    public long QuotaBackendBytes { get; init; }
    public ulong MaxRequestBytes { get; init; }
    public ulong MaxTxnOps { get; init; }
    public ulong MaxConcurrentStreams { get; init; }
    public ulong MaxSnapshots { get; init; }
    public ulong MaxWals { get; init; }
    public bool PreVote { get; init; }
    public bool StrictReconfigCheck { get; init; }
    public bool EnableV2 { get; init; }

    /// <summary>--cors: origins the HTTP answers' Access-Control headers name ("*": all).</summary>
    public string Cors { get; init; } = "*";

    /// <summary>--host-whitelist: Host names cleartext HTTP requests may carry ("*": all).</summary>
    public string HostWhitelist { get; init; } = "*";
    public bool UnsafeNoFsync { get; init; }
    public bool ForceNewCluster { get; init; }
    public required string AutoCompactionRetention { get; init; }
    public required string AutoCompactionMode { get; init; }
    public required string Logger { get; init; }
    public required string LogLevel { get; init; }
    public required IReadOnlyList<string> LogOutputs { get; init; }
    public TimeSpan WatchProgressNotifyInterval { get; init; }

    /// <summary>--experimental-warning-apply-duration: a slower apply is logged and counted.</summary>
    public TimeSpan WarningApplyDuration { get; init; } = State.SlowApplyWarning.DefaultThreshold;
    public bool LeaseCheckpoint { get; init; }

    /// <summary>--experimental-initial-corrupt-check: compare the KV hash with the peers' before serving.</summary>
    public bool InitialCorruptCheck { get; init; }

    /// <summary>--experimental-corrupt-check-time: how often the leader compares its KV hash with the peers' (zero: never).</summary>
    public TimeSpan CorruptCheckTime { get; init; }

    /// <summary>--metrics: "extensive" adds grpc_server_handling_seconds.</summary>
    public string MetricsLevel { get; init; } = "basic";

    /// <summary>--experimental-enable-lease-checkpoint-persist: checkpointed remaining TTLs are also written to the lease bucket, so they survive a restart of the whole cluster.</summary>
    public bool LeaseCheckpointPersist { get; init; }
    public string AuthToken { get; init; } = "simple";
    public long BcryptCost { get; init; } = 10;
    public ulong AuthTokenTtlSeconds { get; init; } = 300;
    /// <summary>--cert-file, --key-file, --trusted-ca-file, --client-cert-auth, --client-crl-file, ...</summary>
    public Tls.TlsSettings ClientTls { get; init; } = new();
    /// <summary>The --peer-* twins of <see cref="ClientTls"/>.</summary>
    public Tls.TlsSettings PeerTls { get; init; } = new();
    public bool AutoTls { get; init; }
    public bool PeerAutoTls { get; init; }
    public int SelfSignedCertValidityYears { get; init; } = 1;
    /// <summary>--cipher-suites, --tls-min-version and --tls-max-version, checked.</summary>
    public Tls.TlsProtocol TlsProtocol { get; init; } = Tls.TlsProtocol.Default;

    /// <summary>etcd's default backend quota when --quota-backend-bytes is 0: 2 GiB.</summary>
    public const long DefaultQuotaBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>etcd's ceiling for --election-timeout.</summary>
    public const ulong MaxElectionMs = 50000;

    public long EffectiveQuotaBytes => QuotaBackendBytes > 0 ? QuotaBackendBytes : DefaultQuotaBytes;

    /// <summary>Election timeout in heartbeat ticks (etcd rounds down).</summary>
    public int ElectionTicks => (int)(ElectionMs / HeartbeatMs);

    public static EtcdConfig From(FlagSet flags)
    {
        var name = flags.GetString("name");
        var dataDir = flags.GetString("data-dir");
        var config = new EtcdConfig
        {
            Name = name,
            DataDir = dataDir.Length > 0 ? dataDir : name + ".etcd",
            WalDir = flags.GetString("wal-dir"),
            SnapshotCount = flags.GetUint("snapshot-count"),
            SnapshotCatchUpEntries = flags.GetUint("experimental-snapshot-catchup-entries"),
            HeartbeatMs = flags.GetUint("heartbeat-interval"),
            ElectionMs = flags.GetUint("election-timeout"),
            InitialElectionTickAdvance = flags.GetBool("initial-election-tick-advance"),
            ListenClientUrls = flags.GetUrls("listen-client-urls"),
            ListenClientHttpUrls = flags.GetUrls("listen-client-http-urls"),
            AdvertiseClientUrls = flags.GetUrls("advertise-client-urls"),
            ListenPeerUrls = flags.GetUrls("listen-peer-urls"),
            InitialAdvertisePeerUrls = flags.GetUrls("initial-advertise-peer-urls"),
            ListenMetricsUrls = flags.GetUrls("listen-metrics-urls"),
            InitialCluster = flags.GetString("initial-cluster"),
            InitialClusterState = flags.GetString("initial-cluster-state"),
            InitialClusterToken = flags.GetString("initial-cluster-token"),
            QuotaBackendBytes = flags.GetInt("quota-backend-bytes"),
            MaxRequestBytes = flags.GetUint("max-request-bytes"),
            MaxTxnOps = flags.GetUint("max-txn-ops"),
            MaxConcurrentStreams = flags.GetUint("max-concurrent-streams"),
            MaxSnapshots = flags.GetUint("max-snapshots"),
            MaxWals = flags.GetUint("max-wals"),
            PreVote = flags.GetBool("pre-vote"),
            StrictReconfigCheck = flags.GetBool("strict-reconfig-check"),
            EnableV2 = flags.GetBool("enable-v2"),
            Cors = flags.GetString("cors"),
            HostWhitelist = flags.GetString("host-whitelist"),
            UnsafeNoFsync = flags.GetBool("unsafe-no-fsync"),
            ForceNewCluster = flags.GetBool("force-new-cluster"),
            AutoCompactionRetention = flags.GetString("auto-compaction-retention"),
            AutoCompactionMode = flags.GetString("auto-compaction-mode"),
            Logger = flags.GetString("logger"),
            LogLevel = flags.GetBool("debug") ? "debug" : flags.GetString("log-level"),
            LogOutputs = flags.GetString("log-outputs").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            WatchProgressNotifyInterval = flags.GetDuration("experimental-watch-progress-notify-interval"),
            WarningApplyDuration = flags.GetDuration("experimental-warning-apply-duration"),
            LeaseCheckpoint = flags.GetBool("experimental-enable-lease-checkpoint"),
            MetricsLevel = flags.GetString("metrics"),
            InitialCorruptCheck = flags.GetBool("experimental-initial-corrupt-check"),
            CorruptCheckTime = flags.GetDuration("experimental-corrupt-check-time"),
            LeaseCheckpointPersist = flags.GetBool("experimental-enable-lease-checkpoint-persist"),
            AuthToken = flags.GetString("auth-token"),
            BcryptCost = flags.GetInt("bcrypt-cost"),
            AuthTokenTtlSeconds = flags.GetUint("auth-token-ttl"),
            ClientTls = new Tls.TlsSettings
            {
                CertFile = flags.GetString("cert-file"),
                KeyFile = flags.GetString("key-file"),
                ClientCertFile = flags.GetString("client-cert-file"),
                ClientKeyFile = flags.GetString("client-key-file"),
                TrustedCaFile = flags.GetString("trusted-ca-file"),
                ClientCertAuth = flags.GetBool("client-cert-auth"),
                CrlFile = flags.GetString("client-crl-file"),
                AllowedHostname = flags.GetString("client-cert-allowed-hostname"),
            },
            PeerTls = new Tls.TlsSettings
            {
                CertFile = flags.GetString("peer-cert-file"),
                KeyFile = flags.GetString("peer-key-file"),
                ClientCertFile = flags.GetString("peer-client-cert-file"),
                ClientKeyFile = flags.GetString("peer-client-key-file"),
                TrustedCaFile = flags.GetString("peer-trusted-ca-file"),
                ClientCertAuth = flags.GetBool("peer-client-cert-auth"),
                CrlFile = flags.GetString("peer-crl-file"),
                AllowedCn = flags.GetString("peer-cert-allowed-cn"),
                AllowedHostname = flags.GetString("peer-cert-allowed-hostname"),
                CheckCallerSan = !flags.GetBool("experimental-peer-skip-client-san-verification"),
            },
            AutoTls = flags.GetBool("auto-tls"),
            PeerAutoTls = flags.GetBool("peer-auto-tls"),
            SelfSignedCertValidityYears = (int)Math.Min(flags.GetUint("self-signed-cert-validity"), 100),
            TlsProtocol = ParseTlsProtocol(flags),
        };
        config.Validate(flags);
        return config;
    }

    /// <summary>etcd's start-up checks, with its messages; a failure exits 1.</summary>
    private void Validate(FlagSet flags)
    {
        // Flags this server does not implement stop it rather than being ignored.
        FlagSupport.CheckRefused(flags);
        CheckBindUrls(ListenPeerUrls);
        CheckBindUrls(ListenClientUrls);
        CheckBindUrls(ListenMetricsUrls);
        CheckHostUrls(InitialAdvertisePeerUrls, "--initial-advertise-peer-urls");
        CheckHostUrls(AdvertiseClientUrls, "--advertise-client-urls");
        if (Logger != "zap") throw Invalid($"--logger={Logger} is not supported by this server: only zap's JSON logs are written");
        if (HeartbeatMs == 0) throw Invalid($"--heartbeat-interval must be >0 (set to {HeartbeatMs}ms)");
        if (ElectionMs == 0) throw Invalid($"--election-timeout must be >0 (set to {ElectionMs}ms)");
        if (5 * HeartbeatMs > ElectionMs)
            throw Invalid($"--election-timeout[{ElectionMs}ms] should be at least as 5 times as --heartbeat-interval[{HeartbeatMs}ms]");
        if (ElectionMs > MaxElectionMs)
            throw Invalid($"--election-timeout[{ElectionMs}ms] is too long, and should be set less than {MaxElectionMs}ms");
        if (flags.IsSet("listen-client-urls") && !flags.IsSet("advertise-client-urls"))
            throw Invalid("--advertise-client-urls is required when --listen-client-urls is set explicitly");
        if (PeerTls.AllowedCn.Length > 0 && PeerTls.AllowedHostname.Length > 0)
            throw Invalid($"AllowedCN and AllowedHostname are mutually exclusive (cn=\"{PeerTls.AllowedCn}\", hostname=\"{PeerTls.AllowedHostname}\")");
        if (Http.AccessControl.CorsProblem(Cors) is { } corsProblem) throw Invalid($"invalid value \"{Cors}\" for flag -cors: {corsProblem}");
        // etcd loads the JWT keys at start: options or keys it cannot use stop the server.
        try
        {
            _ = Authentication.AuthTokenOption.JwtOf(AuthToken, TimeProvider.System);
        }
        catch (Authentication.JwtOptionsException e)
        {
            throw Invalid(e.Message);
        }
        if (flags.GetBool("experimental-enable-lease-checkpoint-persist") && !LeaseCheckpoint)
            throw Invalid("setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
    }

    private static Tls.TlsProtocol ParseTlsProtocol(FlagSet flags)
    {
        var suites = flags.GetString("cipher-suites").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            return Tls.TlsProtocol.Parse(suites, flags.GetString("tls-min-version"), flags.GetString("tls-max-version"));
        }
        catch (FormatException e)
        {
            throw Invalid(e.Message);
        }
    }

    private static void CheckBindUrls(IReadOnlyList<Uri> urls)
    {
        foreach (var url in urls)
        {
            if (url.Scheme is "unix" or "unixs") continue;
            if (url.Host == "localhost") continue;
            if (!IPAddress.TryParse(url.Host.Trim('[', ']'), out _))
                throw Invalid($"expected IP in URL for binding ({url.OriginalString})");
        }
    }

    private static void CheckHostUrls(IReadOnlyList<Uri> urls, string flag)
    {
        foreach (var url in urls)
        {
            if (url.Scheme is "unix" or "unixs") continue;
            if (!HasExplicitPort(url))
                throw Invalid($"{flag} \"{string.Join(",", urls.Select(u => u.OriginalString))}\" must be \"host:port\"");
            if (url.Host.Length == 0) throw Invalid($"unexpected empty host ({url.OriginalString})");
        }
    }

    /// <summary>etcd insists on "host:port" in advertised URLs, even for the scheme's default port.</summary>
    private static bool HasExplicitPort(Uri url)
    {
        var text = url.OriginalString;
        var authority = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
        var colon = authority.LastIndexOf(':');
        return colon > authority.LastIndexOf(']') && colon < authority.Length - 1;
    }

    private static FlagError Invalid(string message) => new(message, 1, false);
}
