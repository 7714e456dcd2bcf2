namespace Etcd.Server.Configuration;

/// <summary>
/// Every flag of etcd 3.5 with its default. All are accepted so that existing unit files and
/// scripts start; <see cref="EtcdConfig"/> reads the ones this server acts on.
/// </summary>
public static class EtcdFlags
{
    private static FlagDefinition S(string name, string def, string usage) => new(name, FlagKind.String, def, usage);
    private static FlagDefinition B(string name, bool def, string usage) => new(name, FlagKind.Bool, def ? "true" : "false", usage);
    private static FlagDefinition I(string name, long def, string usage) => new(name, FlagKind.Int, def.ToString(System.Globalization.CultureInfo.InvariantCulture), usage);
    private static FlagDefinition U(string name, string def, string usage) => new(name, FlagKind.Uint, def, usage);
    private static FlagDefinition D(string name, string def, string usage) => new(name, FlagKind.Duration, def, usage);
    private static FlagDefinition L(string name, string def, string usage) => new(name, FlagKind.Urls, def, usage);
    private static FlagDefinition C(string name, string def, string usage, params string[] choices) => new(name, FlagKind.Choice, def, usage, choices);

    /// <summary>The variable that names a config file when --config-file is not given.</summary>
    public const string ConfigFileVariable = "ETCD_CONFIG_FILE";

    public static FlagDefinition[] All { get; } =
    [
        // Member
        S("name", "default", "Readable name of this member."),
        S("data-dir", "", "Directory of this member's data; default '${name}.etcd'."),
        S("wal-dir", "", "Separate directory for the write-ahead log."),
        U("snapshot-count", "100000", "Applied entries between two snapshots of the log."),
        U("heartbeat-interval", "100", "Milliseconds between leader heartbeats."),
        U("election-timeout", "1000", "Milliseconds without a leader before an election starts."),
        B("initial-election-tick-advance", true, "Fast-forward election ticks at start-up."),
        L("listen-peer-urls", "http://localhost:2380", "URLs to listen on for peer traffic."),
        L("listen-client-urls", "http://localhost:2379", "URLs to listen on for client traffic."),
        L("listen-client-http-urls", "", "Extra URLs serving only HTTP/1.1 client traffic (no gRPC)."),
        U("max-snapshots", "5", "Snapshot files to keep (0 = unlimited)."),
        U("max-wals", "5", "WAL files to keep (0 = unlimited)."),
        I("quota-backend-bytes", 0, "Backend size that raises a NOSPACE alarm (0 = default 2 GiB)."),
        D("backend-batch-interval", "0", "Longest time before the backend commits a batch."),
        I("backend-batch-limit", 0, "Most operations before the backend commits a batch."),
        S("backend-bbolt-freelist-type", "map", "Accepted for compatibility; our backend has no freelist."),
        U("max-txn-ops", "128", "Most operations in one transaction."),
        U("max-request-bytes", "1572864", "Largest client request, in bytes."),
        U("max-concurrent-streams", "math.MaxUint32", "Most concurrent gRPC streams per client connection."),
        D("grpc-keepalive-min-time", "5s", "Shortest interval a client may ping at."),
        D("grpc-keepalive-interval", "2h", "Interval of server-to-client pings."),
        D("grpc-keepalive-timeout", "20s", "Wait for a ping answer before closing the connection."),
        B("socket-reuse-port", false, "Set SO_REUSEPORT on listeners."),
        B("socket-reuse-address", false, "Set SO_REUSEADDR on listeners."),
        B("unsafe-no-fsync", false, "Skip fsync: unsafe, loses data on power loss."),
        // Clustering
        L("initial-advertise-peer-urls", "http://localhost:2380", "This member's peer URLs to advertise to the cluster."),
        S("initial-cluster", "default=http://localhost:2380", "Initial cluster configuration: name=peerURL,..."),
        C("initial-cluster-state", "new", "'new' to bootstrap a cluster, 'existing' to join one.", "new", "existing"),
        S("initial-cluster-token", "etcd-cluster", "Token that keeps clusters apart during bootstrap."),
        L("advertise-client-urls", "http://localhost:2379", "This member's client URLs to advertise."),
        S("discovery", "", "Discovery URL used to bootstrap the cluster."),
        C("discovery-fallback", "proxy", "What to do when discovery fails.", "exit", "proxy"),
        S("discovery-proxy", "", "HTTP proxy for discovery traffic."),
        S("discovery-srv", "", "DNS domain used to bootstrap the cluster."),
        S("discovery-srv-name", "", "Suffix for the DNS SRV name."),
        B("strict-reconfig-check", true, "Refuse membership changes that could lose quorum."),
        B("pre-vote", true, "Run a pre-vote before elections."),
        S("auto-compaction-retention", "0", "History to keep when auto-compacting (hours, or a duration)."),
        C("auto-compaction-mode", "periodic", "Auto-compaction by 'periodic' time or 'revision' count.", "periodic", "revision"),
        B("enable-v2", false, "Serve the v2 keys API."),
        C("v2-deprecation", "not-yet", "Phase of the v2 deprecation.", "not-yet", "write-only", "write-only-drop-data", "gone"),
        // Security
        S("cert-file", "", "Client server TLS certificate."),
        S("key-file", "", "Client server TLS key."),
        S("client-cert-file", "", "Certificate for this member's own client connections."),
        S("client-key-file", "", "Key for this member's own client connections."),
        B("client-cert-auth", false, "Require valid client certificates."),
        S("client-crl-file", "", "Revoked client certificates."),
        S("client-cert-allowed-hostname", "", "Allowed TLS hostname for client certificates."),
        S("trusted-ca-file", "", "CA that signs client certificates."),
        B("auto-tls", false, "Generate self-signed client TLS certificates."),
        S("peer-cert-file", "", "Peer server TLS certificate."),
        S("peer-key-file", "", "Peer server TLS key."),
        S("peer-client-cert-file", "", "Certificate for connections to peers."),
        S("peer-client-key-file", "", "Key for connections to peers."),
        B("peer-client-cert-auth", false, "Require valid peer certificates."),
        S("peer-trusted-ca-file", "", "CA that signs peer certificates."),
        S("peer-cert-allowed-cn", "", "Required common name of peer certificates."),
        S("peer-cert-allowed-hostname", "", "Allowed TLS hostname of peer certificates."),
        B("peer-auto-tls", false, "Generate self-signed peer TLS certificates."),
        U("self-signed-cert-validity", "1", "Years a self-signed certificate is valid."),
        S("peer-crl-file", "", "Revoked peer certificates."),
        S("cipher-suites", "", "Allowed TLS cipher suites, comma-separated."),
        S("cors", "*", "Allowed CORS origins, comma-separated."),
        S("host-whitelist", "*", "Allowed HTTP Host headers, comma-separated."),
        S("tls-min-version", "TLS1.2", "Lowest TLS version accepted."),
        S("tls-max-version", "", "Highest TLS version accepted."),
        // Auth
        S("auth-token", "simple", "Token type: 'simple' or 'jwt,...'."),
        I("bcrypt-cost", 10, "bcrypt cost for password hashes."),
        U("auth-token-ttl", "300", "Seconds a simple token lives."),
        // Profiling and monitoring
        B("enable-pprof", false, "Serve runtime profiles over HTTP."),
        C("metrics", "basic", "'basic' or 'extensive' metrics.", "basic", "extensive"),
        L("listen-metrics-urls", "", "Extra URLs serving /metrics and /health."),
        // Logging
        C("logger", "zap", "Logger implementation; 'zap' (structured JSON).", "zap", "capnslog"),
        S("log-outputs", "default", "Where logs go: 'default' (stderr), 'stderr', 'stdout', or file paths."),
        C("log-level", "info", "Lowest level logged.", "debug", "info", "warn", "error", "panic", "fatal"),
        B("enable-log-rotation", false, "Rotate log files."),
        S("log-rotation-config-json", "{\"maxsize\": 100, \"maxage\": 0, \"maxbackups\": 0, \"localtime\": false, \"compress\": false}", "Log rotation settings."),
        B("debug", false, "Deprecated: use --log-level=debug."),
        S("log-package-levels", "", "Deprecated capnslog package levels."),
        // v2 proxy (deprecated)
        C("proxy", "off", "Proxy mode.", "off", "readonly", "on"),
        U("proxy-failure-wait", "5000", "Milliseconds an endpoint is held failed."),
        U("proxy-refresh-interval", "30000", "Milliseconds between endpoint refreshes."),
        U("proxy-dial-timeout", "1000", "Dial timeout in milliseconds."),
        U("proxy-write-timeout", "5000", "Write timeout in milliseconds."),
        U("proxy-read-timeout", "0", "Read timeout in milliseconds."),
        // Experimental
        B("experimental-initial-corrupt-check", false, "Check data corruption before serving."),
        D("experimental-corrupt-check-time", "0s", "Interval between corruption checks."),
        S("experimental-enable-v2v3", "", "Serve v2 requests through v3 under this prefix."),
        S("experimental-backend-bbolt-freelist-type", "map", "Accepted for compatibility."),
        B("experimental-enable-lease-checkpoint", false, "Persist remaining lease TTLs through Raft."),
        B("experimental-enable-lease-checkpoint-persist", false, "Persist lease checkpoints to the backend."),
        I("experimental-compaction-batch-limit", 1000, "Keys deleted per compaction batch."),
        D("experimental-compaction-sleep-interval", "10ms", "Pause between compaction batches."),
        B("experimental-peer-skip-client-san-verification", false, "Skip SAN checks of peer client certificates."),
        D("experimental-watch-progress-notify-interval", "10m", "Interval of watch progress notifications."),
        D("experimental-warning-apply-duration", "100ms", "Apply time above which a warning is logged."),
        D("experimental-warning-unary-request-duration", "300ms", "Request time above which a warning is logged."),
        B("experimental-txn-mode-write-with-shared-buffer", true, "Accepted for compatibility."),
        U("experimental-bootstrap-defrag-threshold-megabytes", "0", "Defragment at start-up above this much free space."),
        I("experimental-max-learners", 1, "Most learners in the cluster."),
        B("experimental-memory-mlock", false, "Lock the backend in memory."),
        U("experimental-snapshot-catchup-entries", "5000", "Entries kept after a snapshot for slow followers."),
        D("experimental-downgrade-check-time", "5s", "Interval of downgrade checks."),
        B("experimental-stop-grpc-service-on-defrag", false, "Report not-serving during defrag."),
        D("experimental-wait-cluster-ready-timeout", "5s", "Wait for the cluster to be ready before serving."),
        B("experimental-enable-distributed-tracing", false, "Export traces."),
        S("experimental-distributed-tracing-address", "localhost:4317", "Trace collector address."),
        S("experimental-distributed-tracing-service-name", "etcd", "Trace service name."),
        S("experimental-distributed-tracing-instance-id", "", "Trace instance id."),
        U("experimental-distributed-tracing-sampling-rate", "0", "Traces sampled per million."),
        B("force-new-cluster", false, "Restart as a single-member cluster keeping the data."),
        // Configuration file
        S("config-file", "", "YAML configuration file; when given, other flags and variables are ignored."),
        B("version", false, "Print the version and exit."),
        B("enable-grpc-gateway", true, "Serve the JSON gateway on client URLs."),
    ];
}
