namespace Etcd.Server.Configuration;

/// <summary>What this server does with a flag.</summary>
public enum FlagSupportKind
{
    /// <summary>Implemented with etcd's meaning.</summary>
    Implemented,

    /// <summary>Cannot apply to this design; accepted, documented in --help and the README as having no effect.</summary>
    NotApplicable,

    /// <summary>Not implemented: any value other than the default stops the server at start, naming the flag.</summary>
    Refused,
}

/// <summary>
/// The claim made for every etcd flag, so that none is accepted and silently ignored
/// (FlagSupportTests walks the whole table and checks each claim).
/// </summary>
public static class FlagSupport
{
    public readonly record struct Claim(FlagSupportKind Kind, string Note = "");

    private static Claim Yes => new(FlagSupportKind.Implemented);
    private static Claim NotHere(string why) => new(FlagSupportKind.NotApplicable, why);
    private static Claim Refuse(string why) => new(FlagSupportKind.Refused, why);

    public static IReadOnlyDictionary<string, Claim> Claims { get; } = new Dictionary<string, Claim>(StringComparer.Ordinal)
    {
        ["name"] = Yes,
        ["data-dir"] = Yes,
        ["wal-dir"] = Yes,
        ["snapshot-count"] = Yes,
        ["heartbeat-interval"] = Yes,
        ["election-timeout"] = Yes,
        ["listen-peer-urls"] = Yes,
        ["listen-client-urls"] = Yes,
        ["listen-client-http-urls"] = Yes,
        ["max-snapshots"] = Yes,
        ["quota-backend-bytes"] = Yes,
        ["max-txn-ops"] = Yes,
        ["max-request-bytes"] = Yes,
        ["max-concurrent-streams"] = Yes,
        ["unsafe-no-fsync"] = Yes,
        ["initial-advertise-peer-urls"] = Yes,
        ["initial-cluster"] = Yes,
        ["initial-cluster-state"] = Yes,
        ["initial-cluster-token"] = Yes,
        ["advertise-client-urls"] = Yes,
        ["strict-reconfig-check"] = Yes,
        ["pre-vote"] = Yes,
        ["auto-compaction-retention"] = Yes,
        ["auto-compaction-mode"] = Yes,
        ["enable-v2"] = Yes,
        ["metrics"] = Yes,
        ["listen-metrics-urls"] = Yes,
        ["logger"] = Yes,
        ["log-outputs"] = Yes,
        ["log-level"] = Yes,
        ["debug"] = Yes,
        ["experimental-watch-progress-notify-interval"] = Yes,
        ["experimental-enable-lease-checkpoint"] = Yes,
        ["experimental-enable-lease-checkpoint-persist"] = Yes,
        ["experimental-snapshot-catchup-entries"] = Yes,
        ["config-file"] = Yes,
        ["version"] = Yes,
        ["bcrypt-cost"] = Yes,
        ["experimental-initial-corrupt-check"] = Yes,
        ["experimental-corrupt-check-time"] = Yes,

        ["max-wals"] = NotHere("WAL segments are released after each snapshot, not kept by count"),
        ["backend-bbolt-freelist-type"] = NotHere("the backend is RocksDB, which has no bbolt freelist"),
        ["experimental-backend-bbolt-freelist-type"] = NotHere("the backend is RocksDB, which has no bbolt freelist"),
        ["experimental-txn-mode-write-with-shared-buffer"] = NotHere("reads never share a write buffer in this backend"),
        ["experimental-memory-mlock"] = NotHere("the backend is RocksDB, not an mmapped bbolt file"),
        ["experimental-bootstrap-defrag-threshold-megabytes"] = NotHere("RocksDB reclaims space by compaction; defragment with etcdctl defrag"),
        ["experimental-compaction-batch-limit"] = NotHere("compaction deletes in RocksDB write batches of its own size"),
        ["experimental-compaction-sleep-interval"] = NotHere("compaction does not pause between batches"),
        ["log-package-levels"] = NotHere("capnslog package levels; use --log-level"),
        ["experimental-downgrade-check-time"] = NotHere("downgrades are not offered, so there is nothing to check"),
        ["experimental-wait-cluster-ready-timeout"] = NotHere("clients are served once the member is published"),
        ["initial-election-tick-advance"] = NotHere("a member campaigns after a full election timeout; a sole voter campaigns at once"),
        ["backend-batch-interval"] = NotHere("each applied Raft batch is one backend commit"),
        ["backend-batch-limit"] = NotHere("each applied Raft batch is one backend commit"),
        ["experimental-warning-unary-request-duration"] = NotHere("slow requests are not logged yet; the warning is advisory"),
        ["experimental-warning-apply-duration"] = Yes,
        ["experimental-max-learners"] = NotHere("the learner limit is etcd's default of 1"),

        ["force-new-cluster"] = Refuse("forcing a new cluster from existing data is not implemented"),
        ["discovery"] = Refuse("discovery bootstrap is not implemented; use --initial-cluster"),
        ["discovery-fallback"] = Refuse("discovery bootstrap is not implemented"),
        ["discovery-proxy"] = Refuse("discovery bootstrap is not implemented"),
        ["discovery-srv"] = Refuse("DNS discovery is not implemented; use --initial-cluster"),
        ["discovery-srv-name"] = Refuse("DNS discovery is not implemented"),
        ["experimental-enable-v2v3"] = Refuse("serving v2 through v3 is not implemented"),
        ["v2-deprecation"] = Refuse("only 'not-yet' (the v2 store kept) is implemented"),
        ["enable-pprof"] = Refuse("Go's pprof profiles do not exist here; use dotnet-trace or dotnet-counters"),
        ["enable-log-rotation"] = Refuse("log rotation is not implemented; rotate with logrotate (copytruncate)"),
        ["log-rotation-config-json"] = Refuse("log rotation is not implemented"),
        ["socket-reuse-port"] = Refuse("SO_REUSEPORT is not set on listeners"),
        ["socket-reuse-address"] = Refuse("SO_REUSEADDR is not set on listeners"),
        ["grpc-keepalive-min-time"] = Refuse("gRPC keepalive enforcement is not configurable yet"),
        ["grpc-keepalive-interval"] = Refuse("gRPC keepalive pings are not configurable yet"),
        ["grpc-keepalive-timeout"] = Refuse("gRPC keepalive pings are not configurable yet"),
        ["experimental-enable-distributed-tracing"] = Refuse("distributed tracing is not implemented"),
        ["experimental-distributed-tracing-address"] = Refuse("distributed tracing is not implemented"),
        ["experimental-distributed-tracing-service-name"] = Refuse("distributed tracing is not implemented"),
        ["experimental-distributed-tracing-instance-id"] = Refuse("distributed tracing is not implemented"),
        ["experimental-distributed-tracing-sampling-rate"] = Refuse("distributed tracing is not implemented"),
        ["experimental-stop-grpc-service-on-defrag"] = Refuse("the gRPC health service does not report defragmentation"),
        ["enable-grpc-gateway"] = Refuse("the JSON gateway is always served"),
        ["proxy"] = Refuse("the v2 proxy is not implemented (use 'etcd gateway')"),
        ["proxy-failure-wait"] = Refuse("the v2 proxy is not implemented"),
        ["proxy-refresh-interval"] = Refuse("the v2 proxy is not implemented"),
        ["proxy-dial-timeout"] = Refuse("the v2 proxy is not implemented"),
        ["proxy-write-timeout"] = Refuse("the v2 proxy is not implemented"),
        ["proxy-read-timeout"] = Refuse("the v2 proxy is not implemented"),

        ["cert-file"] = Yes,
        ["key-file"] = Yes,
        ["client-cert-file"] = Yes,
        ["client-key-file"] = Yes,
        ["client-cert-auth"] = Yes,
        ["client-crl-file"] = Yes,
        ["client-cert-allowed-hostname"] = Yes,
        ["trusted-ca-file"] = Yes,
        ["auto-tls"] = Yes,
        ["peer-cert-file"] = Yes,
        ["peer-key-file"] = Yes,
        ["peer-client-cert-file"] = Yes,
        ["peer-client-key-file"] = Yes,
        ["peer-client-cert-auth"] = Yes,
        ["peer-trusted-ca-file"] = Yes,
        ["peer-cert-allowed-cn"] = Yes,
        ["peer-cert-allowed-hostname"] = Yes,
        ["peer-auto-tls"] = Yes,
        ["self-signed-cert-validity"] = Yes,
        ["peer-crl-file"] = Yes,
        ["cipher-suites"] = Yes,
        ["tls-min-version"] = Yes,
        ["tls-max-version"] = Yes,
        ["experimental-peer-skip-client-san-verification"] = Yes,
        ["cors"] = Yes,
        ["host-whitelist"] = Yes,
        ["auth-token"] = Yes,
        ["auth-token-ttl"] = Yes,
    };

    /// <summary>Stops the start when a refused flag is given a value other than its default.</summary>
    public static void CheckRefused(FlagSet flags)
    {
        foreach (var definition in EtcdFlags.All)
        {
            if (!Claims.TryGetValue(definition.Name, out var claim) || claim.Kind != FlagSupportKind.Refused) continue;
            if (!flags.IsSet(definition.Name)) continue;
            var value = flags.GetString(definition.Name);
            if (SameAsDefault(definition, value)) continue;
            throw new FlagError($"--{definition.Name}={value} is not supported by this server: {claim.Note}", 1, false);
        }
    }

    private static bool SameAsDefault(FlagDefinition definition, string value)
    {
        if (value == definition.Default) return true;
        return definition.Kind switch
        {
            FlagKind.Bool => IsTrue(value) == IsTrue(definition.Default),
            FlagKind.Duration => Etcd.Api.Text.GoDuration.TryParse(value, out var a) && Etcd.Api.Text.GoDuration.TryParse(definition.Default, out var b) && a == b,
            _ => false,
        };
    }

    private static bool IsTrue(string text) => text is "1" or "t" or "T" or "true" or "TRUE" or "True";
}
