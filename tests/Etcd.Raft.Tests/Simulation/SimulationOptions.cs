namespace Etcd.Raft.Tests.Simulation;

/// <summary>Everything about one simulated run, drawn from its seed.</summary>
internal sealed class SimulationOptions
{
    /// <summary>Simulated time units per Raft tick; message delays are counted in units.</summary>
    public const int UnitsPerTick = 10;

    public required int Seed { get; init; }

    public required int ClusterSize { get; init; }

    public required int ElectionTick { get; init; }

    public required int HeartbeatTick { get; init; }

    public required bool PreVote { get; init; }

    public required bool CheckQuorum { get; init; }

    public required ReadOnlyOption ReadOnlyOption { get; init; }

    public required ulong MaxSizePerMsg { get; init; }

    public required int MaxInflight { get; init; }

    public required double DropRate { get; init; }

    public required double DuplicateRate { get; init; }

    /// <summary>Message delays are uniform in [1, MaxDelay] units; varying delays reorder messages.</summary>
    public required int MaxDelay { get; init; }

    /// <summary>Ticks of the fault phase, before healing.</summary>
    public required int FaultTicks { get; init; }

    public required double ProposeRate { get; init; }

    public required double CrashRate { get; init; }

    public required double PartitionRate { get; init; }

    public required double ConfChangeRate { get; init; }

    public required double TransferRate { get; init; }

    public required double ReadIndexRate { get; init; }

    /// <summary>Applied entries beyond the snapshot before a node snapshots and compacts (0: never).</summary>
    public required int CompactEvery { get; init; }

    /// <summary>Ticks allowed after healing for a proposal to be applied by every member.</summary>
    public int LivenessTicks => 60 * ElectionTick;

    public static SimulationOptions FromSeed(int seed, Random random)
    {
        int[] sizes = [1, 3, 3, 5, 5];
        bool checkQuorum = random.Next(2) == 0;
        return new SimulationOptions
        {
            Seed = seed,
            ClusterSize = sizes[random.Next(sizes.Length)],
            ElectionTick = random.Next(5, 15),
            HeartbeatTick = random.Next(1, 3),
            PreVote = random.Next(2) == 0,
            CheckQuorum = checkQuorum,
            ReadOnlyOption = checkQuorum && random.Next(4) == 0 ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
            MaxSizePerMsg = random.Next(3) switch { 0 => 0, 1 => 256, _ => ulong.MaxValue },
            MaxInflight = random.Next(1, 8),
            DropRate = random.NextDouble() * 0.15,
            DuplicateRate = random.NextDouble() * 0.05,
            MaxDelay = random.Next(1, 4 * UnitsPerTick),
            FaultTicks = random.Next(100, 300),
            ProposeRate = random.NextDouble() * 0.05,
            CrashRate = random.NextDouble() * 0.002,
            PartitionRate = random.NextDouble() * 0.002,
            ConfChangeRate = random.NextDouble() * 0.004,
            TransferRate = random.NextDouble() * 0.002,
            ReadIndexRate = random.NextDouble() * 0.01,
            CompactEvery = random.Next(3) == 0 ? 0 : random.Next(3, 40),
        };
    }

    public override string ToString() =>
        $"size={ClusterSize} election={ElectionTick} heartbeat={HeartbeatTick} prevote={PreVote} checkquorum={CheckQuorum} " +
        $"read={ReadOnlyOption} maxsize={MaxSizePerMsg} inflight={MaxInflight} drop={DropRate:F3} dup={DuplicateRate:F3} " +
        $"delay<={MaxDelay} faultticks={FaultTicks} compact={CompactEvery}";
}
