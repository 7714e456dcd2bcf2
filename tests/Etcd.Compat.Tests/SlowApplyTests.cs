using System.Text.Json;
using System.Text.RegularExpressions;

namespace Etcd.Compat.Tests;

/// <summary>
/// --experimental-warning-apply-duration against reference etcd: with a threshold nothing beats,
/// every put and every range is "apply request took too long", with the same fields and the same
/// request text (ids aside), and etcd_server_slow_apply_total counts them.
/// </summary>
public sealed partial class SlowApplyTests
{
    [Fact]
    public async Task EverySlowApplyIsLoggedAsReferenceEtcdLogsItAndCounted()
    {
        var (reference, ours) = await EtcdProcess.StartBothAsync(["--experimental-warning-apply-duration=1ns"]);
        await using (reference)
        await using (ours)
        {
            foreach (var member in new[] { reference, ours })
            {
                var etcdctl = new Etcdctl(member.Endpoint, Binaries.OfficialEtcdctl);
                Assert.Equal(0, (await etcdctl.RunAsync("put", "slow-key", "a-value-not-to-log")).ExitCode);
                Assert.Equal(0, (await etcdctl.RunAsync("get", "slow-key")).ExitCode);
            }
            var expected = await WarningsAsync(reference);
            var actual = await WarningsAsync(ours);
            Assert.Equal(expected.Put.Fields, actual.Put.Fields);
            Assert.Equal(expected.Put.Request, actual.Put.Request);
            Assert.Equal(expected.Put.Prefix, actual.Put.Prefix);
            Assert.StartsWith("size:", actual.Put.Response, StringComparison.Ordinal);
            Assert.Equal(expected.Range.Fields, actual.Range.Fields);
            Assert.Equal(expected.Range.Request, actual.Range.Request);
            Assert.Equal("read-only range ", actual.Range.Prefix);
            Assert.StartsWith("range_response_count:1 size:", actual.Range.Response, StringComparison.Ordinal);
            Assert.DoesNotContain("a-value-not-to-log", ours.Log, StringComparison.Ordinal);

            using var http = new HttpClient();
            var metrics = PrometheusText.Parse(await http.GetStringAsync($"{ours.Endpoint}/metrics"));
            Assert.True(metrics.Sum("etcd_server_slow_apply_total") >= 2, "the put and the range are counted");
        }
    }

    private sealed record Warning(string Fields, string Request, string Prefix, string Response);

    private static async Task<(Warning Put, Warning Range)> WarningsAsync(EtcdProcess member)
    {
        // The log is read as the process writes it: wait until both lines are there.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            Warning? put = null, range = null;
            foreach (var line in member.Log.Split('\n'))
            {
                if (!line.Contains("apply request took too long", StringComparison.Ordinal)) continue;
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                var request = root.GetProperty("request").GetString()!;
                var warning = new Warning(
                    string.Join(',', root.EnumerateObject().Select(p => p.Name).Where(n => n is not ("caller" or "ts"))),
                    HeaderId().Replace(request, "ID:_"), root.GetProperty("prefix").GetString()!, root.GetProperty("response").GetString()!);
                if (request.Contains("put:<key:\"slow-key\"", StringComparison.Ordinal)) put = warning;
                else if (request.StartsWith("key:\"slow-key\"", StringComparison.Ordinal)) range = warning;
            }
            if (put is not null && range is not null) return (put, range);
            if (deadline.IsCancellationRequested) throw new TimeoutException($"no put and range warnings in {member.Binary}'s log:\n{member.Log}");
            await Task.Delay(50, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [GeneratedRegex("ID:[0-9]+")]
    private static partial Regex HeaderId();
}
