using System.Text;
using Etcd.Server.Core;
using Etcd.Server.Http;

namespace Etcd.Server.Metrics;

/// <summary>
/// /metrics in Prometheus' text format (0.0.4), under etcd's names, types, labels and buckets:
/// every series etcd's Grafana dashboard and Prometheus alert rules query that this member
/// measures. Built per scrape; nothing here runs on a request path.
/// </summary>
public static class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Build(EtcdServer server, HealthCounters health)
    {
        var text = new StringBuilder(16 * 1024);
        void Gauge(string name, string help, double value, string labels = "") => ProcessMetrics.Write(text, name, help, "gauge", value, labels);
        void Counter(string name, string help, double value, string labels = "") => ProcessMetrics.Write(text, name, help, "counter", value, labels);
        void Histogram(string name, string help, Histogram histogram)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" histogram\n");
            histogram.WriteTo(text, name);
        }
        void Family(string name, string help, string type, LabeledCounters counters)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            counters.WriteTo(text, name);
        }

        if (server.Members.ClusterVersion is { } cluster)
        {
            var parts = cluster.Split('.');
            Gauge("etcd_cluster_version", "Which version is running. 1 for 'cluster_version' label with current cluster version", 1, $"cluster_version=\"{parts[0]}.{parts[1]}\"");
        }
        Gauge("etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in store.", server.Kv.CompactRevision);
        Gauge("etcd_debugging_mvcc_current_revision", "The current revision of store.", server.Kv.CurrentRevision);
        Gauge("etcd_debugging_mvcc_db_total_size_in_bytes", "Total size of the underlying database physically allocated in bytes.", server.Backend.SizeBytes);
        Counter("etcd_debugging_mvcc_delete_total", "Total number of deletes seen by this member.", Interlocked.Read(ref EtcdMetrics.Deletes));
        Gauge("etcd_debugging_mvcc_keys_total", "Total number of keys.", server.Kv.IndexedKeyCount);
        Counter("etcd_debugging_mvcc_put_total", "Total number of puts seen by this member.", Interlocked.Read(ref EtcdMetrics.Puts));
        Counter("etcd_debugging_mvcc_range_total", "Total number of ranges seen by this member.", Interlocked.Read(ref EtcdMetrics.Ranges));
        Counter("etcd_debugging_mvcc_txn_total", "Total number of txns seen by this member.", Interlocked.Read(ref EtcdMetrics.Txns));
        Gauge("etcd_debugging_mvcc_watcher_total", "Total number of watchers.", server.Watches.WatcherCount);
        Histogram("etcd_disk_backend_commit_duration_seconds", "The latency distributions of commit called by backend.", EtcdMetrics.BackendCommit);
        Histogram("etcd_disk_wal_fsync_duration_seconds", "The latency distributions of fsync called by WAL.", EtcdMetrics.WalFsync);
        Gauge("etcd_mvcc_db_total_size_in_bytes", "Total size of the underlying database physically allocated in bytes.", server.Backend.SizeBytes);
        Gauge("etcd_mvcc_db_total_size_in_use_in_bytes", "Total size of the underlying database logically in use in bytes.", server.Backend.SizeInUseBytes);
        Counter("etcd_mvcc_delete_total", "Total number of deletes seen by this member.", Interlocked.Read(ref EtcdMetrics.Deletes));
        Counter("etcd_mvcc_put_total", "Total number of puts seen by this member.", Interlocked.Read(ref EtcdMetrics.Puts));
        Counter("etcd_mvcc_range_total", "Total number of ranges seen by this member.", Interlocked.Read(ref EtcdMetrics.Ranges));
        Counter("etcd_mvcc_txn_total", "Total number of txns seen by this member.", Interlocked.Read(ref EtcdMetrics.Txns));
        Counter("etcd_network_client_grpc_received_bytes_total", "The total number of bytes received from grpc clients.", Interlocked.Read(ref EtcdMetrics.ClientGrpcReceivedBytes));
        Counter("etcd_network_client_grpc_sent_bytes_total", "The total number of bytes sent to grpc clients.", Interlocked.Read(ref EtcdMetrics.ClientGrpcSentBytes));
        Family("etcd_network_peer_received_bytes_total", "The total number of bytes received from peers.", "counter", EtcdMetrics.PeerReceivedBytes);
        Family("etcd_network_peer_sent_bytes_total", "The total number of bytes sent to peers.", "counter", EtcdMetrics.PeerSentBytes);
        Family("etcd_network_peer_sent_failures_total", "The total number of send failures from peers.", "counter", EtcdMetrics.PeerSentFailures);
        Gauge("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.", server.Raft.Leader != 0 ? 1 : 0);
        Counter("etcd_server_health_failures", "The total number of failed health checks", health.HealthFailures);
        Counter("etcd_server_health_success", "The total number of successful health checks", health.HealthSuccess);
        WriteHealthChecks(text, health);
        Gauge("etcd_server_id", "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.", 1, $"server_id=\"{server.MemberId:x}\"");
        Gauge("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", server.Raft.IsLeader ? 1 : 0);
        Gauge("etcd_server_is_learner", "Whether or not this member is a learner. 1 if is, 0 otherwise.", server.Members.Find(server.MemberId) is { IsLearner: true } ? 1 : 0);
        Counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.", Interlocked.Read(ref EtcdMetrics.LeaderChanges));
        Gauge("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.", server.Raft.AppliedIndex);
        Gauge("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.", server.Raft.CommitIndex);
        Counter("etcd_server_proposals_failed_total", "The total number of failed proposals seen.", Interlocked.Read(ref EtcdMetrics.ProposalsFailed));
        Gauge("etcd_server_proposals_pending", "The current number of pending proposals to commit.", Interlocked.Read(ref EtcdMetrics.ProposalsPending));
        Gauge("etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.", server.Config.EffectiveQuotaBytes);
        Counter("etcd_server_slow_apply_total", "The total number of slow apply requests (likely overloaded from slow disk).", Interlocked.Read(ref EtcdMetrics.SlowApplies));
        Gauge("etcd_server_version", "Which version is running. 1 for 'server_version' label with current version.", 1, $"server_version=\"{EtcdServer.Version}\"");
        GrpcMetrics.WriteTo(text);
        ProcessMetrics.WriteTo(text);
        return text.ToString();
    }

    private static void WriteHealthChecks(StringBuilder text, HealthCounters health)
    {
        var checks = health.Checks().ToArray();
        if (checks.Length == 0) return;
        text.Append("# HELP etcd_server_healthcheck The result of each kind of healthcheck.\n# TYPE etcd_server_healthcheck gauge\n");
        foreach (var c in checks) text.Append($"etcd_server_healthcheck{{name=\"{c.Name}\",type=\"{c.Type}\"}} {c.LastOk}\n");
        text.Append("# HELP etcd_server_healthchecks_total The total number of each kind of healthcheck.\n# TYPE etcd_server_healthchecks_total counter\n");
        foreach (var c in checks)
        {
            if (c.Error > 0) text.Append($"etcd_server_healthchecks_total{{name=\"{c.Name}\",status=\"error\",type=\"{c.Type}\"}} {c.Error}\n");
            if (c.Success > 0) text.Append($"etcd_server_healthchecks_total{{name=\"{c.Name}\",status=\"success\",type=\"{c.Type}\"}} {c.Success}\n");
        }
    }
}
