using System.Collections.Concurrent;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Clusters of ours that lose members: five members go on without two of them (the leader among
/// them); a member replaced the way operators do it (remove, wipe, add, start with "existing")
/// catches up from nothing. Membership is changed with the official etcdctl.
/// </summary>
public sealed class ClusterReplacementTests(ITestOutputHelper output)
{
    private static readonly string[] Timing = ["--heartbeat-interval", "100", "--election-timeout", "1000"];

    [Fact]
    public async Task FiveMembersGoOnWithoutTwoOfThem()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 5, Timing);
        var acknowledged = new ConcurrentDictionary<string, string>();
        for (var i = 0; i < 20; i++) await ClusterWrites.PutAsync(cluster.Members[i % 5].ClientUrl, $"fault/before-{i}", acknowledged, deadlineSeconds: 5);

        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        // The official etcdctl sees five members, one of them leading.
        var status = await cluster.Ctl().RunAsync("endpoint", "status", "--cluster", "-w", "table");
        Assert.True(status.ExitCode == 0, status.ToString());
        var rows = status.Stdout.Split('\n').Where(l => l.StartsWith("| http://", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, rows.Count);
        Assert.Single(rows, r => r.Contains("|      true |", StringComparison.Ordinal));
        var lost = new[] { leader, cluster.Members.First(m => m != leader) };
        foreach (var member in lost) member.Kill();
        output.WriteLine($"killed {lost[0].Name} (leader) and {lost[1].Name}");
        var survivors = cluster.Members.Except(lost).ToList();
        await ClusterWrites.EventuallyAsync(() => ClusterWrites.PutAsync(survivors[0].ClientUrl, "fault/during-0", acknowledged, deadlineSeconds: 5), TimeSpan.FromSeconds(20));
        for (var i = 1; i < 30; i++) await ClusterWrites.PutAsync(survivors[i % survivors.Count].ClientUrl, $"fault/during-{i}", acknowledged, deadlineSeconds: 5);

        foreach (var member in lost) await cluster.RestartAsync(member);
        await ClusterFaultTests.AssertConvergedAsync(cluster, acknowledged);
        // etcdctl 3.4 prints health lines on stderr.
        var health = await cluster.Ctl().RunAsync("endpoint", "health", "--cluster");
        Assert.True(health.ExitCode == 0, health.ToString());
        Assert.Equal(5, (health.Stdout + health.Stderr).Split('\n').Count(l => l.Contains(" is healthy: successfully committed proposal", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AReplacedMemberStartsEmptyAndCatchesUp()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, Timing);
        var acknowledged = new ConcurrentDictionary<string, string>();
        for (var i = 0; i < 50; i++) await ClusterWrites.PutAsync(cluster.Members[i % 3].ClientUrl, $"fault/before-{i}", acknowledged, deadlineSeconds: 5);

        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var replaced = cluster.Members.First(m => m != leader);
        replaced.Kill();
        var remaining = string.Join(",", cluster.Members.Where(m => m != replaced).Select(m => m.ClientUrl));
        var ctl = cluster.Ctl(remaining);
        var list = await ctl.RunAsync("member", "list");
        var id = list.Stdout.Split('\n').First(l => l.Contains(replaced.PeerUrl, StringComparison.Ordinal)).Split(',')[0];
        // etcd refuses a change until the voters have been connected for a while ("unhealthy cluster").
        var removed = await RetryWhileAsync(() => ctl.RunAsync("member", "remove", id),
            r => r.Stderr.Contains("unhealthy cluster", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(removed.ExitCode == 0, removed.ToString());
        cluster.Forget(replaced);
        await replaced.DisposeAsync();
        Directory.Delete(replaced.DataDir, recursive: true);

        var replacement = cluster.NewMember("m2-new");
        var added = await RetryWhileAsync(() => ctl.RunAsync("member", "add", replacement.Name, "--peer-urls", replacement.PeerUrl),
            r => r.Stderr.Contains("unhealthy cluster", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(added.ExitCode == 0, added.ToString());
        await cluster.JoinAsync(replacement);
        for (var i = 0; i < 20; i++) await ClusterWrites.PutAsync(cluster.Members[i % 3].ClientUrl, $"fault/after-{i}", acknowledged, deadlineSeconds: 5);

        await ClusterFaultTests.AssertConvergedAsync(cluster, acknowledged);
        var members = await cluster.Ctl().RunAsync("member", "list");
        Assert.Equal(3, members.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(", started, m2-new, " + replacement.PeerUrl + ", " + replacement.ClientUrl + ", false", members.Stdout, StringComparison.Ordinal);
    }

    private static async Task<CommandResult> RetryWhileAsync(Func<Task<CommandResult>> run, Func<CommandResult, bool> retry, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var result = await run();
        while (result.ExitCode != 0 && retry(result) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            result = await run();
        }
        return result;
    }
}
