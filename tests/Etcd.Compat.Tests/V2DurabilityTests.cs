using System.Net.Http;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// The v2 store is part of the replicated state: acknowledged v2 writes survive kill -9, and a
/// member that catches up by snapshot gets the v2 tree with the backend.
/// </summary>
public sealed partial class V2DurabilityTests(ITestOutputHelper output)
{
    [System.Text.RegularExpressions.GeneratedRegex("\"ttl\":\\d+")]
    private static partial System.Text.RegularExpressions.Regex SecondsLeft();

    private static readonly string[] SmallLog = ["--enable-v2", "--snapshot-count", "40", "--experimental-snapshot-catchup-entries", "10"];

    // The body alone: the store index in the header moves on when a restarted member publishes itself again.
    private static string Body(string exchange) => exchange[(exchange.IndexOf('\n', StringComparison.Ordinal) + 1)..];

    [Fact]
    public async Task AcknowledgedV2WritesSurviveKillNine()
    {
        var dataDir = Directory.CreateTempSubdirectory("etcd-v2-crash-").FullName;
        var (clientPort, peerPort) = (FreePort.Next(), FreePort.Next());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            string before;
            var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort, ["--enable-v2"]);
            await using (member)
            {
                for (var i = 0; i < 50; i++) await V2Http.CallAsync(http, member.Endpoint, "PUT", $"/v2/keys/crash/k{i % 7}", "value=" + i);
                await V2Http.CallAsync(http, member.Endpoint, "POST", "/v2/keys/crash/queue", "value=q");
                await V2Http.CallAsync(http, member.Endpoint, "DELETE", "/v2/keys/crash/k3");
                await V2Http.CallAsync(http, member.Endpoint, "PUT", "/v2/keys/crash/ttl?ttl=3600", "value=t");
                before = await V2Http.CallAsync(http, member.Endpoint, "GET", "/v2/keys/crash?recursive=true&sorted=true");
                member.Kill();
            }
            var restarted = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort, ["--enable-v2"]);
            await using (restarted)
            {
                var after = await V2Http.CallAsync(http, restarted.Endpoint, "GET", "/v2/keys/crash?recursive=true&sorted=true");
                // Seconds left go down while the member is away; the expiry time itself is kept (and blanked by V2Http).
                Assert.Equal(SecondsLeft().Replace(Body(before), "\"ttl\":N"), SecondsLeft().Replace(Body(after), "\"ttl\":N"));
                // The index goes on from where it was: 3 at start (etcd's member records), 56 after the
                // writes above, 57 for the attributes the member publishes again on restart, then 58.
                var next = await V2Http.CallAsync(http, restarted.Endpoint, "PUT", "/v2/keys/crash/next", "value=n");
                Assert.Contains("\"modifiedIndex\":58,", next, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task AMemberCatchingUpBySnapshotGetsTheV2Tree()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, SmallLog);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var follower = cluster.Members.First(m => m != leader);
        follower.Kill();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 150; i++) await V2Http.CallAsync(http, leader.ClientUrl, "PUT", $"/v2/keys/snap/k{i}", "value=" + i);
        var expected = Body(await V2Http.CallAsync(http, leader.ClientUrl, "GET", "/v2/keys/snap?recursive=true&sorted=true"));
        output.WriteLine(expected[..Math.Min(200, expected.Length)]);

        await cluster.RestartAsync(follower);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string actual;
        while ((actual = Body(await V2Http.CallAsync(http, follower.ClientUrl, "GET", "/v2/keys/snap?recursive=true&sorted=true"))) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the follower did not catch up within 30 s:\n{actual[..Math.Min(300, actual.Length)]}");
            await Task.Delay(100);
        }
        // It got there by snapshot (its output reaches the buffer through a reader thread, which may lag).
        while (!follower.Log.Contains("restored snapshot", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the follower did not install a snapshot");
            await Task.Delay(50);
        }
        // Writes through the caught-up follower go on at the cluster's next index.
        var write = await V2Http.CallAsync(http, follower.ClientUrl, "PUT", "/v2/keys/snap/after", "value=a");
        Assert.Contains(" -> 201 ", write, StringComparison.Ordinal);
    }
}
