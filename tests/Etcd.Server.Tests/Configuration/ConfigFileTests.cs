using System.Collections;
using Etcd.Server.Configuration;

namespace Etcd.Server.Tests.Configuration;

/// <summary>--config-file read as etcd reads its YAML: the same settings as the same flags, and the file wins.</summary>
public sealed class ConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("etcd-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir, "etcd.conf.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static FlagSet Parsed(params string[] args)
    {
        var flags = new FlagSet(EtcdFlags.All);
        flags.Parse(args);
        return flags;
    }

    // etcd's sample configuration style: plain keys, a list, a TLS section, nanosecond durations.
    private const string Yaml = """
        # This is the configuration file for the etcd server.
        name: 'infra1'
        data-dir: /var/lib/etcd/infra1
        snapshot-count: 10000
        heartbeat-interval: 100
        election-timeout: 1000
        quota-backend-bytes: 8589934592
        listen-peer-urls: http://127.0.0.1:12380
        listen-client-urls: http://127.0.0.1:12379,http://127.0.0.1:22379
        advertise-client-urls: http://127.0.0.1:12379
        initial-advertise-peer-urls: http://127.0.0.1:12380
        initial-cluster: infra1=http://127.0.0.1:12380
        initial-cluster-token: 'etcd-cluster-1'
        initial-cluster-state: 'new'
        strict-reconfig-check: false
        enable-v2: true
        auto-compaction-mode: revision
        auto-compaction-retention: "1000"
        listen-metrics-urls: http://127.0.0.1:12381
        experimental-watch-progress-notify-interval: 5000000000
        log-level: warn
        log-outputs: [stdout]
        max-txn-ops: 256
        unknown-key-etcd-ignores: 1
        client-transport-security:
          client-cert-auth: false
        peer-transport-security:
          auto-tls: false
        """;

    private static readonly string[] SameFlags =
    [
        "--name=infra1", "--data-dir=/var/lib/etcd/infra1", "--snapshot-count=10000", "--heartbeat-interval=100",
        "--election-timeout=1000", "--quota-backend-bytes=8589934592", "--listen-peer-urls=http://127.0.0.1:12380",
        "--listen-client-urls=http://127.0.0.1:12379,http://127.0.0.1:22379", "--advertise-client-urls=http://127.0.0.1:12379",
        "--initial-advertise-peer-urls=http://127.0.0.1:12380", "--initial-cluster=infra1=http://127.0.0.1:12380",
        "--initial-cluster-token=etcd-cluster-1", "--initial-cluster-state=new", "--strict-reconfig-check=false", "--enable-v2",
        "--auto-compaction-mode=revision", "--auto-compaction-retention=1000", "--listen-metrics-urls=http://127.0.0.1:12381",
        "--experimental-watch-progress-notify-interval=5s", "--log-level=warn", "--log-outputs=stdout", "--max-txn-ops=256",
    ];

    [Fact]
    public void FileGivesTheSameConfigurationAsTheSameFlags()
    {
        var path = Write(Yaml);
        var fromFile = EtcdConfig.From(ConfigurationSources.Resolve(Parsed("--config-file", path), new Dictionary<string, string>(), out var used));
        Assert.Equal(path, used);
        var fromFlags = EtcdConfig.From(ConfigurationSources.Resolve(Parsed(SameFlags), new Dictionary<string, string>(), out var none));
        Assert.Null(none);
        AssertSame(fromFlags, fromFile);
        // And it differs from the defaults, so the comparison above compares something.
        Assert.Equal("infra1", fromFile.Name);
        Assert.Equal(TimeSpan.FromSeconds(5), fromFile.WatchProgressNotifyInterval);
        Assert.Equal(["stdout"], fromFile.LogOutputs);
    }

    [Fact]
    public void FileWinsOverTheCommandLineAndTheEnvironment()
    {
        var path = Write("name: from-file\nsnapshot-count: 42\n");
        var environment = new Dictionary<string, string> { ["ETCD_NAME"] = "from-env", ["ETCD_MAX_TXN_OPS"] = "7" };
        var config = EtcdConfig.From(ConfigurationSources.Resolve(Parsed("--config-file", path, "--name", "from-flag", "--heartbeat-interval", "50"),
            environment, out _));
        Assert.Equal("from-file", config.Name);
        Assert.Equal(42UL, config.SnapshotCount);
        // Not in the file: the default, neither the flag's nor the variable's value.
        Assert.Equal(100UL, config.HeartbeatMs);
        Assert.Equal(128UL, config.MaxTxnOps);
        // ETCD_CONFIG_FILE names the file when the flag does not.
        var viaVariable = EtcdConfig.From(ConfigurationSources.Resolve(Parsed(), new Dictionary<string, string> { ["ETCD_CONFIG_FILE"] = path }, out var used));
        Assert.Equal(path, used);
        Assert.Equal("from-file", viaVariable.Name);
    }

    [Fact]
    public void BadFilesAreRefusedWithTheirReason()
    {
        var missing = Assert.Throws<FlagError>(() => ConfigurationSources.Resolve(Parsed("--config-file", Path.Combine(_dir, "none.yml")), new Dictionary<string, string>(), out _));
        Assert.Equal($"open {Path.Combine(_dir, "none.yml")}: no such file or directory", missing.Message);
        Assert.Equal(1, missing.ExitCode);
        var badValue = Write("snapshot-count: lots\n");
        var e = Assert.Throws<FlagError>(() => ConfigurationSources.Resolve(Parsed("--config-file", badValue), new Dictionary<string, string>(), out _));
        Assert.Contains("snapshot-count", e.Message, StringComparison.Ordinal);
        var notYaml = Write("name: [unclosed\n");
        Assert.Throws<FlagError>(() => ConfigurationSources.Resolve(Parsed("--config-file", notYaml), new Dictionary<string, string>(), out _));
    }

    [Fact]
    public void TransportSecuritySectionsSetTheTlsFlags()
    {
        var values = ConfigFile.Parse("""
            client-transport-security:
              cert-file: /c.crt
              key-file: /c.key
              client-cert-auth: true
              trusted-ca-file: /ca.crt
            peer-transport-security:
              cert-file: /p.crt
              client-cert-auth: yes
              allowed-cn: member
            cipher-suites:
              - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
              - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
            """, EtcdFlags.All);
        Assert.Equal(
        [
            new("cert-file", "/c.crt"), new("key-file", "/c.key"), new("client-cert-auth", "true"), new("trusted-ca-file", "/ca.crt"),
            new("peer-cert-file", "/p.crt"), new("peer-client-cert-auth", "true"), new("peer-cert-allowed-cn", "member"),
            new("cipher-suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        ], values);
    }

    private static void AssertSame(EtcdConfig expected, EtcdConfig actual)
    {
        foreach (var property in typeof(EtcdConfig).GetProperties())
        {
            var e = property.GetValue(expected);
            var a = property.GetValue(actual);
            if (e is IEnumerable list and not string) Assert.Equal(list.Cast<object>().Select(x => x.ToString()), ((IEnumerable)a!).Cast<object>().Select(x => x.ToString()));
            else Assert.True(Equals(e, a), $"{property.Name}: flags {e}, file {a}");
        }
    }
}
