using System.Globalization;
using System.Text;
using Etcd.Server.Core;

namespace Etcd.Server.Http;

/// <summary>The HTTP/1.1 endpoints etcd serves beside gRPC: /health, /version, /metrics, the /v3 JSON gateway and, with --enable-v2, the v2 API.</summary>
public static class HttpEndpoints
{
    public static void Map(WebApplication app, EtcdServer server)
    {
        app.MapGet("/version", () => Results.Text(
            $"{{\"etcdserver\":\"{EtcdServer.Version}\",\"etcdcluster\":\"{server.Members.ClusterVersion ?? "not_decided"}\"}}",
            "application/json"));
        var health = new HealthCounters();
        HealthRoutes.Map(app, server, health);
        app.MapGet("/metrics", () => Results.Text(Metrics(server, health), "text/plain; version=0.0.4; charset=utf-8"));
        // The JSON gateway (/v3/...) calls this member's own gRPC port, as etcd's does.
        var loopback = new JsonGateway.LoopbackChannels(server.Config.ListenClientUrls[0]);
        app.Lifetime.ApplicationStopped.Register(loopback.Dispose);
        JsonGateway.GatewayRoutes.Map(app, loopback);
        V2.Http.V2Routes.Map(app, server);
    }

    /// <summary>A subset of etcd's Prometheus metrics, under etcd's names so dashboards and alerts work.</summary>
    private static string Metrics(EtcdServer server, HealthCounters health)
    {
        var text = new StringBuilder();
        void Gauge(string name, string help, double value, string labels = "")
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" gauge\n");
            text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        void Counter(string name, string help, double value)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" counter\n");
            text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        Gauge("etcd_server_has_leader", "1 when this member knows a leader, else 0.", server.Raft.Leader != 0 ? 1 : 0);
        Gauge("etcd_server_is_leader", "1 when this member is the leader, else 0.", server.Raft.IsLeader ? 1 : 0);
        Gauge("etcd_server_version", "Always 1; the label names the server version.", 1, $"{{server_version=\"{EtcdServer.Version}\"}}");
        if (server.Members.ClusterVersion is { } cluster)
        {
            var parts = cluster.Split('.');
            Gauge("etcd_cluster_version", "Always 1; the label names the cluster version.", 1, $"{{cluster_version=\"{parts[0]}.{parts[1]}\"}}");
        }
        Gauge("etcd_server_proposals_committed_total", "Raft entries committed.", server.Raft.CommitIndex);
        Gauge("etcd_server_proposals_applied_total", "Raft entries applied.", server.Raft.AppliedIndex);
        Gauge("etcd_mvcc_db_total_size_in_bytes", "Bytes the backend occupies on disk.", server.Backend.SizeBytes);
        Gauge("etcd_mvcc_db_total_size_in_use_in_bytes", "Bytes of live data in the backend.", server.Backend.SizeInUseBytes);
        Gauge("etcd_debugging_mvcc_current_revision", "Current MVCC revision.", server.Kv.CurrentRevision);
        Gauge("etcd_debugging_mvcc_compact_revision", "Revision of the last compaction.", server.Kv.CompactRevision);
        Counter("etcd_server_health_success", "The total number of successful health checks", health.HealthSuccess);
        Counter("etcd_server_health_failures", "The total number of failed health checks", health.HealthFailures);
        var checks = health.Checks().ToArray();
        if (checks.Length > 0)
        {
            text.Append("# HELP etcd_server_healthcheck The result of each kind of healthcheck.\n# TYPE etcd_server_healthcheck gauge\n");
            foreach (var c in checks) text.Append($"etcd_server_healthcheck{{name=\"{c.Name}\",type=\"{c.Type}\"}} {c.LastOk}\n");
            text.Append("# HELP etcd_server_healthchecks_total The total number of each kind of healthcheck.\n# TYPE etcd_server_healthchecks_total counter\n");
            foreach (var c in checks)
            {
                if (c.Error > 0) text.Append($"etcd_server_healthchecks_total{{name=\"{c.Name}\",status=\"error\",type=\"{c.Type}\"}} {c.Error}\n");
                if (c.Success > 0) text.Append($"etcd_server_healthchecks_total{{name=\"{c.Name}\",status=\"success\",type=\"{c.Type}\"}} {c.Success}\n");
            }
        }
        return text.ToString();
    }
}
