using System.Globalization;
using System.Text;
using Etcd.Server.Core;

namespace Etcd.Server.Http;

/// <summary>The HTTP/1.1 endpoints etcd serves beside gRPC: /health, /version, /metrics, the /v3 JSON gateway and, with --enable-v2, the v2 API.</summary>
public static class HttpEndpoints
{
    public static void Map(WebApplication app, EtcdServer server)
    {
        app.Use(AccessControl.From(server.Config.Cors, server.Config.HostWhitelist, server.Logger).InvokeAsync);
        app.MapGet("/version", () => Results.Text(
            $"{{\"etcdserver\":\"{EtcdServer.Version}\",\"etcdcluster\":\"{server.Members.ClusterVersion ?? "not_decided"}\"}}",
            "application/json"));
        app.MapGet("/health", () => HealthAsync(server));
        app.MapGet("/metrics", () => Results.Text(Metrics(server), "text/plain; version=0.0.4; charset=utf-8"));
        // The JSON gateway (/v3/...) calls this member's own gRPC port, as etcd's does.
        var loopback = new JsonGateway.LoopbackChannels(server.Config.ListenClientUrls[0], server.Tls.Client);
        app.Lifetime.ApplicationStopped.Register(loopback.Dispose);
        JsonGateway.GatewayRoutes.Map(app, loopback);
        V2.Http.V2Routes.Map(app, server);
    }

    /// <summary>
    /// Healthy when no alarm is raised, the member knows a leader and a linearizable read
    /// completes within a second (etcd's bodies and status codes). The read is what tells a member
    /// cut off from the majority, which may still remember a leader, that it cannot serve.
    /// </summary>
    private static async Task<IResult> HealthAsync(EtcdServer server)
    {
        if (server.Alarms.All is [var alarm, ..])
            return Results.Text($"{{\"health\":\"false\",\"reason\":\"ALARM {State.AlarmList.AlarmName(alarm.Alarm)}\"}}", "application/json", statusCode: 503);
        if (server.Raft.Leader == 0)
            return Results.Text("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}", "application/json", statusCode: 503);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await server.Raft.WaitLinearizableAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Results.Text("{\"health\":\"false\",\"reason\":\"RANGE ERROR:context deadline exceeded\"}", "application/json", statusCode: 503);
        }
        return Results.Text("{\"health\":\"true\",\"reason\":\"\"}", "application/json");
    }

    /// <summary>A subset of etcd's Prometheus metrics, under etcd's names so dashboards and alerts work.</summary>
    private static string Metrics(EtcdServer server)
    {
        var text = new StringBuilder();
        void Gauge(string name, string help, double value, string labels = "")
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" gauge\n");
            text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
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
        return text.ToString();
    }
}
