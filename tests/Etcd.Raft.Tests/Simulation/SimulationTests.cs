using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// Runs the deterministic cluster simulator over many seeds. A failing seed is reported with the
/// command that re-runs exactly it, with a trace of its last events:
/// <c>RAFT_SEED=1234 dotnet test tests/Etcd.Raft.Tests --filter FullyQualifiedName~SimulationTests</c>.
/// RAFT_SEED_START and RAFT_SEEDS choose another range of seeds (default 1 and 2000).
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    private const string RerunCommand = "dotnet test tests/Etcd.Raft.Tests --filter FullyQualifiedName~SimulationTests";

    [Fact]
    public void SeededClusters_StaySafeUnderFaults_AndRecoverAfterHealing()
    {
        if (Environment.GetEnvironmentVariable("RAFT_SEED") is { Length: > 0 } single)
        {
            RunTraced(int.Parse(single, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        int start = EnvInt("RAFT_SEED_START", 1);
        int count = EnvInt("RAFT_SEEDS", 2000);
        var failures = new ConcurrentBag<(int Seed, string Error)>();
        var totals = new SimulationStats();
        var timer = Stopwatch.StartNew();
        Parallel.For(start, start + count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var sim = new Simulator(seed, trace: false);
            try
            {
                sim.Run();
            }
            catch (Exception e)
            {
                failures.Add((seed, e is SimulationFailure ? e.Message : e.ToString()));
            }

            sim.Stats.LeaderTerms = sim.Checker.LeaderTerms;
            totals.Add(sim.Stats);
        });

        output.WriteLine($"{count} seeds from {start} in {timer.Elapsed.TotalSeconds:F1}s, {failures.Count} failed");
        output.WriteLine($"exercised: {totals}");

        // Guard against a simulator that silently stopped doing anything interesting.
        Assert.True(totals.SnapshotsInstalled > 0 && totals.ConfChangesApplied > 0 && totals.Crashes > 0 && totals.ReadsChecked > 0, $"the runs exercised too little: {totals}");
        foreach (var (seed, error) in failures.OrderBy(f => f.Seed).Take(20))
        {
            output.WriteLine($"seed {seed}: {error}\n  re-run: RAFT_SEED={seed} {RerunCommand}");
        }

        var first = failures.OrderBy(f => f.Seed).Take(3).Select(f => $"seed {f.Seed}: {f.Error}\n  re-run: RAFT_SEED={f.Seed} {RerunCommand}");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {count} seeds failed:\n{string.Join('\n', first)}");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(1234)]
    public void ASeedDeterminesTheWholeRun(int seed)
    {
        var first = new Simulator(seed, trace: false);
        var second = new Simulator(seed, trace: false);
        first.Run();
        second.Run();

        Assert.Equal(first.Stats.Fingerprint, second.Stats.Fingerprint);
        Assert.Equal(first.Stats.Delivered, second.Stats.Delivered);
        Assert.Equal(first.Checker.MaxApplied, second.Checker.MaxApplied);
    }

    private void RunTraced(int seed)
    {
        var sim = new Simulator(seed, trace: true);
        output.WriteLine($"seed {seed}: {sim.Options}");
        try
        {
            sim.Run();
        }
        catch (Exception e)
        {
            foreach (string line in sim.RecentTrace)
            {
                output.WriteLine(line);
            }

            throw new SimulationFailure($"seed {seed} failed ({sim.Options}): {e}\nre-run: RAFT_SEED={seed} {RerunCommand}");
        }
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;
}
