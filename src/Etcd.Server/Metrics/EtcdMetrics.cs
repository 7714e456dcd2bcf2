namespace Etcd.Server.Metrics;

/// <summary>
/// The process' instruments under etcd's names, as etcd keeps them in Prometheus' default
/// registry: one set per process (a simulator running several members in one process adds
/// their counts up, which no test reads). What can be read from the member at scrape time
/// (sizes, revisions, leader) is read then, in <see cref="MetricsText"/>.
/// </summary>
public static class EtcdMetrics
{
    /// <summary>etcd_disk_wal_fsync_duration_seconds: ExponentialBuckets(0.001, 2, 14), as etcd's WAL declares.</summary>
    public static readonly Histogram WalFsync = new(Histogram.Exponential(0.001, 2, 14));

    /// <summary>etcd_disk_backend_commit_duration_seconds: the commit of each applied batch, etcd's buckets.</summary>
    public static readonly Histogram BackendCommit = new(Histogram.Exponential(0.001, 2, 14));

    /// <summary>etcd_server_apply_duration_seconds is 3.5's; our slow-apply count and the apply time.</summary>
    public static long SlowApplies;

    /// <summary>etcd_server_leader_changes_seen_total: a new leader (not its loss) seen.</summary>
    public static long LeaderChanges;

    /// <summary>etcd_server_proposals_failed_total.</summary>
    public static long ProposalsFailed;

    /// <summary>etcd_server_proposals_pending.</summary>
    public static long ProposalsPending;

    /// <summary>etcd_network_client_grpc_received_bytes_total / sent: protobuf sizes of client messages.</summary>
    public static long ClientGrpcReceivedBytes;
    public static long ClientGrpcSentBytes;

    /// <summary>etcd_network_peer_sent_bytes_total{To}, received{From}, sent_failures_total{To}.</summary>
    public static readonly LabeledCounters PeerSentBytes = new();
    public static readonly LabeledCounters PeerReceivedBytes = new();
    public static readonly LabeledCounters PeerSentFailures = new();

    /// <summary>etcd_debugging_mvcc_range_total etc. are counted by the KV service; etcd_mvcc_* are the same counts in 3.5.</summary>
    public static long Ranges;
    public static long Puts;
    public static long Deletes;
    public static long Txns;

    public static void LeaderSeen(ulong leader)
    {
        if (leader != 0) Interlocked.Increment(ref LeaderChanges);
    }

    public static string PeerLabel(string name, ulong id) => $"{name}=\"{id:x}\"";
}
