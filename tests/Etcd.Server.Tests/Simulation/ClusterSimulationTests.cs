using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Runs the whole-cluster simulator (the server's apply path over Raft, 3 and 5 members, with
/// crashes and partitions) over many seeds. A failing seed is reported with the command that
/// re-runs exactly it, with a trace of its last events:
/// <c>CLUSTER_SIM_SEED=1234 dotnet test tests/Etcd.Server.Tests --filter FullyQualifiedName~ClusterSimulationTests</c>.
/// CLUSTER_SIM_SEED_START and CLUSTER_SIM_SEEDS choose another range of seeds (default 1 and 2000).
/// </summary>
public sealed class ClusterSimulationTests(ITestOutputHelper output)
{
    private const string RerunCommand = "dotnet test tests/Etcd.Server.Tests --filter FullyQualifiedName~ClusterSimulationTests";

    [Fact]
    public void SeededClusters_KeepEveryAcknowledgedWrite_OnEveryMember()
    {
        if (Environment.GetEnvironmentVariable("CLUSTER_SIM_SEED") is { Length: > 0 } single)
        {
            RunTraced(int.Parse(single, CultureInfo.InvariantCulture));
            return;
        }

        var start = EnvInt("CLUSTER_SIM_SEED_START", 1);
        var count = EnvInt("CLUSTER_SIM_SEEDS", 2000);
        var failures = new ConcurrentBag<(int Seed, string Error)>();
        var totals = new ClusterSimStats();
        var timer = Stopwatch.StartNew();
        Parallel.For(start, start + count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var sim = new ClusterSim(seed, trace: false);
            try
            {
                sim.Run();
            }
            catch (Exception e)
            {
                failures.Add((seed, e is ClusterSimFailure ? e.Message : e.ToString()));
            }
            totals.Add(sim.Stats);
        });

        output.WriteLine($"{count} seeds from {start} in {timer.Elapsed.TotalSeconds:F1}s, {failures.Count} failed");
        output.WriteLine($"exercised: {totals}");
        foreach (var (seed, error) in failures.OrderBy(f => f.Seed).Take(20))
            output.WriteLine($"seed {seed}: {error}\n  re-run: CLUSTER_SIM_SEED={seed} {RerunCommand}");

        var first = failures.OrderBy(f => f.Seed).Take(3).Select(f => $"seed {f.Seed}: {f.Error}\n  re-run: CLUSTER_SIM_SEED={f.Seed} {RerunCommand}");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {count} seeds failed:\n{string.Join('\n', first)}");
        // Guard against a simulator that silently stopped doing anything interesting.
        Assert.True(count < 50 || (totals.ThreeMemberRuns > 0 && totals.FiveMemberRuns > 0 && totals.Acked > 0 && totals.PowerLosses > 0
            && totals.MidReadyCrashes > 0 && totals.Partitions > 0 && totals.SnapshotsInstalled > 0 && totals.MemberUpdatesApplied > 0
            && totals.LeasesExpired > 0 && totals.KeepAlives > 0 && totals.MembersRemoved > 0 && totals.AuthChanges > 0 && totals.AlarmChanges > 0 && totals.DigestsCompared > 0 && totals.ReadsAnswered > 0 && totals.WatchEvents > 0), $"the runs exercised too little: {totals}");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    public void ASeedDeterminesTheWholeRun(int seed)
    {
        var first = new ClusterSim(seed, trace: false);
        var second = new ClusterSim(seed, trace: false);
        first.Run();
        second.Run();

        Assert.Equal(first.Stats.Fingerprint, second.Stats.Fingerprint);
        Assert.Equal(first.Stats.ToString(), second.Stats.ToString());
    }

    private void RunTraced(int seed)
    {
        var sim = new ClusterSim(seed, trace: true);
        output.WriteLine($"seed {seed}: {sim.Options}");
        try
        {
            sim.Run();
            output.WriteLine($"seed {seed} passed: {sim.Stats}");
        }
        catch (Exception e)
        {
            foreach (var line in sim.RecentTrace) output.WriteLine(line);
            throw new ClusterSimFailure($"seed {seed} failed ({sim.Options}): {e}\nre-run: CLUSTER_SIM_SEED={seed} {RerunCommand}");
        }
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;
}
