using System.Net;
using System.Net.Http;

namespace Etcd.Compat.Tests;

/// <summary>
/// The command line kubeadm writes into /etc/kubernetes/manifests/etcd.yaml (without its TLS
/// flags, which come with the security work) starts our server, and kubeadm's probes on the
/// metrics URL answer as etcd 3.5's do.
/// </summary>
public sealed class KubeadmCommandLineTests
{
    private static string[] KubeadmFlags(int metricsPort) =>
    [
        "--experimental-initial-corrupt-check=true",
        "--experimental-watch-progress-notify-interval=5s",
        $"--listen-metrics-urls=http://127.0.0.1:{metricsPort}",
        "--snapshot-count=10000",
    ];

    [Fact]
    public async Task StartsAndAnswersKubeadmsProbesOnTheMetricsUrl()
    {
        var metricsPort = FreePort.Next();
        await using var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, extraArgs: KubeadmFlags(metricsPort));
        using var http = new HttpClient();
        var metrics = $"http://127.0.0.1:{metricsPort}";

        // kubeadm's startup and liveness probes, then its readiness probe.
        var health = await http.GetAsync($"{metrics}/health?exclude=NOSPACE&serializable=true");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("{\"health\":\"true\",\"reason\":\"\"}", await health.Content.ReadAsStringAsync());
        Assert.Equal("ok\n", await http.GetStringAsync($"{metrics}/livez"));
        Assert.Equal("ok\n", await http.GetStringAsync($"{metrics}/readyz"));
        Assert.Equal("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n",
            await http.GetStringAsync($"{metrics}/readyz?verbose"));
        Assert.Equal("[+]linearizable_read ok\nok\n", await http.GetStringAsync($"{metrics}/readyz/linearizable_read?verbose"));
        var post = await http.PostAsync($"{metrics}/readyz", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);

        var scraped = await http.GetStringAsync($"{metrics}/metrics");
        Assert.Contains("etcd_server_has_leader 1\n", scraped, StringComparison.Ordinal);
        Assert.Contains("etcd_server_healthcheck{name=\"linearizable_read\",type=\"readyz\"} 1\n", scraped, StringComparison.Ordinal);

        // The metrics URL serves nothing else (etcd's metrics mux): no JSON gateway, no version.
        var gateway = await http.PostAsync($"{metrics}/v3/kv/range", new StringContent("{\"key\":\"YQ==\"}"));
        Assert.Equal(HttpStatusCode.NotFound, gateway.StatusCode);
        Assert.Equal("404 page not found\n", await gateway.Content.ReadAsStringAsync());
        // The client URL still serves everything, the probes included.
        Assert.Equal("ok\n", await http.GetStringAsync($"{member.Endpoint}/readyz"));
    }

    [Fact]
    public async Task MetricsUrlHealthAnswersAsReferenceEtcds()
    {
        var referencePort = FreePort.Next();
        var oursPort = FreePort.Next();
        await using var reference = await EtcdProcess.StartAsync(Binaries.ReferenceEtcd, extraArgs: [$"--listen-metrics-urls=http://127.0.0.1:{referencePort}"]);
        await using var ours = await EtcdProcess.StartAsync(Binaries.OurEtcd, extraArgs: [$"--listen-metrics-urls=http://127.0.0.1:{oursPort}"]);
        using var http = new HttpClient();
        foreach (var query in new[] { "/health", "/health?exclude=NOSPACE&serializable=true", "/nothing-here", "/version" })
        {
            var expected = await http.GetAsync($"http://127.0.0.1:{referencePort}{query}");
            var actual = await http.GetAsync($"http://127.0.0.1:{oursPort}{query}");
            Assert.Equal(expected.StatusCode, actual.StatusCode);
            Assert.Equal(expected.Content.Headers.ContentType?.ToString(), actual.Content.Headers.ContentType?.ToString());
            // 3.4 answers {"health":"true"}; 3.5, which we are, adds the reason.
            var body = await expected.Content.ReadAsStringAsync();
            Assert.Equal(body == "{\"health\":\"true\"}" ? "{\"health\":\"true\",\"reason\":\"\"}" : body, await actual.Content.ReadAsStringAsync());
        }
    }
}
