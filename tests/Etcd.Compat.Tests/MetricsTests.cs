using System.Net.Http;

namespace Etcd.Compat.Tests;

/// <summary>
/// /metrics parsed as Prometheus parses it: every series etcd's Grafana dashboard and its alert
/// rules query is there with etcd's type and labels (checked against reference etcd's own
/// /metrics), and the ones that count work move under load.
/// </summary>
public sealed class MetricsTests
{
    // What etcd's dashboard (contrib/mixin) and alert rules query, with the type etcd declares.
    private static readonly (string Name, string Type)[] Queried =
    [
        ("etcd_server_has_leader", "gauge"),
        ("etcd_server_leader_changes_seen_total", "counter"),
        ("etcd_server_proposals_committed_total", "gauge"),
        ("etcd_server_proposals_applied_total", "gauge"),
        ("etcd_server_proposals_pending", "gauge"),
        ("etcd_server_proposals_failed_total", "counter"),
        ("etcd_server_quota_backend_bytes", "gauge"),
        ("etcd_disk_wal_fsync_duration_seconds", "histogram"),
        ("etcd_disk_backend_commit_duration_seconds", "histogram"),
        ("etcd_mvcc_db_total_size_in_bytes", "gauge"),
        ("etcd_mvcc_db_total_size_in_use_in_bytes", "gauge"),
        ("etcd_network_client_grpc_received_bytes_total", "counter"),
        ("etcd_network_client_grpc_sent_bytes_total", "counter"),
        ("etcd_network_peer_sent_bytes_total", "counter"),
        ("etcd_network_peer_received_bytes_total", "counter"),
        ("etcd_network_peer_sent_failures_total", "counter"),
        ("etcd_debugging_mvcc_keys_total", "gauge"),
        ("etcd_debugging_mvcc_watcher_total", "gauge"),
        ("etcd_debugging_mvcc_put_total", "counter"),
        ("etcd_debugging_mvcc_current_revision", "gauge"),
        ("grpc_server_started_total", "counter"),
        ("grpc_server_handled_total", "counter"),
        ("grpc_server_msg_received_total", "counter"),
        ("grpc_server_msg_sent_total", "counter"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_cpu_seconds_total", "counter"),
        ("process_open_fds", "gauge"),
        ("process_max_fds", "gauge"),
        ("process_start_time_seconds", "gauge"),
    ];

    private static readonly double[] FsyncBuckets = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, double.PositiveInfinity];

    [Fact]
    public async Task DashboardAndAlertSeriesHaveEtcdsTypesLabelsAndMoveUnderLoad()
    {
        var (reference, ours) = await EtcdProcess.StartBothAsync(["--metrics=extensive"]);
        await using (reference)
        await using (ours)
        {
            using var http = new HttpClient();
            var referenceMetrics = PrometheusText.Parse(await http.GetStringAsync($"{reference.Endpoint}/metrics"));
            var before = PrometheusText.Parse(await http.GetStringAsync($"{ours.Endpoint}/metrics"));
            foreach (var (name, type) in Queried)
            {
                Assert.True(before.TypeOf(name) == type, $"{name}: ours {before.TypeOf(name) ?? "missing"}, etcd's {type}");
                // Reference etcd 3.4 declares it the same way (peer metrics appear once it has peers).
                if (!name.StartsWith("etcd_network_peer", StringComparison.Ordinal)) Assert.Equal(type, referenceMetrics.TypeOf(name));
            }
            Assert.Equal(FsyncBuckets, before.Of("etcd_disk_wal_fsync_duration_seconds_bucket").Select(s => Le(s.Labels)));
            Assert.Equal(FsyncBuckets, before.Of("etcd_disk_backend_commit_duration_seconds_bucket").Select(s => Le(s.Labels)));
            // The gRPC series carry go-grpc-prometheus' labels, zero before the first call.
            var put = before.Of("grpc_server_started_total").Single(s => s.Labels["grpc_method"] == "Put");
            Assert.Equal(new Dictionary<string, string> { ["grpc_method"] = "Put", ["grpc_service"] = "etcdserverpb.KV", ["grpc_type"] = "unary" }, put.Labels);
            Assert.Contains(before.Of("grpc_server_started_total"), s => s.Labels["grpc_service"] == "etcdserverpb.Watch" && s.Labels["grpc_type"] == "bidi_stream");
            Assert.Equal(
                referenceMetrics.Of("grpc_server_handled_total").Select(s => s.Labels["grpc_code"]).Distinct().Order(StringComparer.Ordinal),
                before.Of("grpc_server_handled_total").Select(s => s.Labels["grpc_code"]).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal("histogram", before.TypeOf("grpc_server_handling_seconds"));

            // Load: puts, a failing range (compacted revision), a watch.
            var etcdctl = new Etcdctl(ours.Endpoint, Binaries.OfficialEtcdctl);
            for (var i = 0; i < 20; i++) Assert.Equal("OK\n", (await etcdctl.RunAsync("put", $"k{i}", new string('v', 100))).Stdout);
            await etcdctl.RunAsync("compact", "15");
            await etcdctl.RunAsync("get", "k1", "--rev", "3");

            var after = PrometheusText.Parse(await http.GetStringAsync($"{ours.Endpoint}/metrics"));
            bool IsPut(IReadOnlyDictionary<string, string> l) => l["grpc_method"] == "Put";
            Assert.Equal(20, after.Sum("grpc_server_started_total", IsPut) - before.Sum("grpc_server_started_total", IsPut));
            Assert.Equal(20, after.Sum("grpc_server_handled_total", l => IsPut(l) && l["grpc_code"] == "OK") - before.Sum("grpc_server_handled_total", l => IsPut(l) && l["grpc_code"] == "OK"));
            Assert.True(after.Sum("grpc_server_handled_total", l => l["grpc_method"] == "Range" && l["grpc_code"] == "OutOfRange") >= 1, "the compacted read is counted with its code");
            Assert.True(after.Sum("grpc_server_handling_seconds_count", IsPut) >= 20);
            Assert.True(after.Sum("etcd_disk_wal_fsync_duration_seconds_count") >= before.Sum("etcd_disk_wal_fsync_duration_seconds_count") + 20);
            Assert.True(after.Sum("etcd_disk_backend_commit_duration_seconds_count") >= before.Sum("etcd_disk_backend_commit_duration_seconds_count") + 20);
            Assert.True(after.Sum("etcd_server_proposals_committed_total") >= before.Sum("etcd_server_proposals_committed_total") + 20);
            Assert.True(after.Sum("etcd_server_proposals_applied_total") >= before.Sum("etcd_server_proposals_applied_total") + 20);
            Assert.True(after.Sum("etcd_network_client_grpc_received_bytes_total") >= before.Sum("etcd_network_client_grpc_received_bytes_total") + 20 * 100);
            Assert.True(after.Sum("etcd_network_client_grpc_sent_bytes_total") > before.Sum("etcd_network_client_grpc_sent_bytes_total"));
            Assert.Equal(20, after.Sum("etcd_debugging_mvcc_put_total") - before.Sum("etcd_debugging_mvcc_put_total"));
            Assert.Equal(20, after.Sum("etcd_debugging_mvcc_keys_total") - before.Sum("etcd_debugging_mvcc_keys_total"));
            Assert.Equal(1, after.Sum("etcd_server_has_leader"));
            Assert.True(after.Sum("etcd_server_leader_changes_seen_total") >= 1);
            Assert.True(after.Sum("etcd_mvcc_db_total_size_in_bytes") > 0);
            Assert.Equal(0, after.Sum("etcd_server_proposals_pending"));
        }
    }

    private static double Le(IReadOnlyDictionary<string, string> labels) =>
        labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(labels["le"], System.Globalization.CultureInfo.InvariantCulture);
}
