namespace Etcd.Server.Tests.Simulation;

/// <summary>Everything about one whole-cluster run, drawn from its seed.</summary>
internal sealed class ClusterSimOptions
{
    /// <summary>Simulated time units per Raft tick; message delays are counted in units.</summary>
    public const int UnitsPerTick = 10;

    public required int Seed { get; init; }

    public required int ClusterSize { get; init; }

    public required int ElectionTick { get; init; }

    public required bool PreVote { get; init; }

    public required ulong MaxSizePerMsg { get; init; }

    public required int MaxInflight { get; init; }

    public required double DropRate { get; init; }

    public required double DuplicateRate { get; init; }

    /// <summary>Message delays are uniform in [1, MaxDelay] units; varying delays reorder messages.</summary>
    public required int MaxDelay { get; init; }

    /// <summary>Ticks of the fault phase, before healing.</summary>
    public required int FaultTicks { get; init; }

    /// <summary>Chance per time unit that a client sends a write to some member.</summary>
    public required double WriteRate { get; init; }

    /// <summary>Chance per time unit that a client sends a linearizable read to some member.</summary>
    public required double ReadRate { get; init; }

    /// <summary>Chance per time unit of a lease operation: a grant, a revocation or a keep-alive.</summary>
    public required double LeaseRate { get; init; }

    /// <summary>Chance per time unit of a compaction somewhere in the recent past.</summary>
    public required double CompactionRate { get; init; }

    /// <summary>Chance per step of an administrator's auth request (0 in a third of the runs).</summary>
    public required double AuthRate { get; init; }

    /// <summary>Whether auth is disabled and enabled again during the run (else it stays on once enabled, and permissions are checked).</summary>
    public required bool AuthToggles { get; init; }

    /// <summary>Chance per step of a NOSPACE alarm raised or cleared (0 in half of the runs).</summary>
    public required double AlarmRate { get; init; }

    /// <summary>Chance per step of the next learner add, promotion or removal (0 in a third of the runs).</summary>
    public required double MembershipRate { get; init; }

    /// <summary>Clients watching every key from the start (reconnecting when their member dies).</summary>
    public required int Watchers { get; init; }

    /// <summary>Chance per time unit and member of a crash between Readies.</summary>
    public required double CrashRate { get; init; }

    /// <summary>Chance per crash point inside a Ready (the process dies half-way through it).</summary>
    public required double MidReadyCrashRate { get; init; }

    /// <summary>Share of crashes that are power losses (unsynced WAL records and backend commits may go) rather than process kills.</summary>
    public required double PowerLossShare { get; init; }

    public required double PartitionRate { get; init; }

    /// <summary>Chance per time unit of a member update (new peer URL), a configuration change the server applies.</summary>
    public required double MemberUpdateRate { get; init; }

    /// <summary>The server's --snapshot-count: applied entries past the last snapshot before the next.</summary>
    public required ulong SnapshotCount { get; init; }

    /// <summary>The server's --experimental-snapshot-catchup-entries: entries kept behind a snapshot.</summary>
    public required ulong CatchUpEntries { get; init; }

    /// <summary>Ticks allowed after healing for the cluster to converge.</summary>
    public int SettleTicks => 80 * ElectionTick;

    public static ClusterSimOptions FromSeed(int seed, Random random) => new()
    {
        Seed = seed,
        // Odd seeds run three members, even seeds five: one number re-runs one exact cluster.
        ClusterSize = seed % 2 != 0 ? 3 : 5,
        ElectionTick = random.Next(5, 15),
        PreVote = random.Next(2) == 0,
        MaxSizePerMsg = random.Next(3) switch { 0 => 0, 1 => 512, _ => 1024 * 1024 },
        MaxInflight = random.Next(1, 16),
        DropRate = random.NextDouble() * 0.15,
        DuplicateRate = random.NextDouble() * 0.05,
        MaxDelay = random.Next(1, 4 * UnitsPerTick),
        FaultTicks = random.Next(100, 250),
        WriteRate = 0.02 + random.NextDouble() * 0.08,
        CrashRate = random.NextDouble() * 0.002,
        ReadRate = 0.01 + random.NextDouble() * 0.05,
        Watchers = random.Next(1, 4),
        LeaseRate = random.NextDouble() * 0.03,
        CompactionRate = random.NextDouble() * 0.003,
        AuthRate = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.02,
        AuthToggles = random.Next(2) == 0,
        AlarmRate = random.Next(2) == 0 ? 0 : random.NextDouble() * 0.002,
        MembershipRate = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.004,
        MidReadyCrashRate = random.NextDouble() * 0.001,
        PowerLossShare = random.Next(3) == 0 ? 0 : random.NextDouble(),
        PartitionRate = random.NextDouble() * 0.002,
        MemberUpdateRate = random.NextDouble() * 0.004,
        SnapshotCount = (ulong)random.Next(5, 60),
        CatchUpEntries = (ulong)random.Next(0, 12),
    };

    public override string ToString() =>
        $"size={ClusterSize} election={ElectionTick} prevote={PreVote} maxsize={MaxSizePerMsg} inflight={MaxInflight} " +
        $"drop={DropRate:F3} dup={DuplicateRate:F3} delay<={MaxDelay} faultticks={FaultTicks} writes={WriteRate:F3} reads={ReadRate:F3} watchers={Watchers} leases={LeaseRate:F3} compactions={CompactionRate:F4} auth={AuthRate:F3}{(AuthToggles ? "/toggles" : "")} alarms={AlarmRate:F4} membership={MembershipRate:F4} " +
        $"crash={CrashRate:F4} midready={MidReadyCrashRate:F4} powerloss={PowerLossShare:F2} partition={PartitionRate:F4} member-updates={MemberUpdateRate:F4} " +
        $"snapshot-count={SnapshotCount} catchup={CatchUpEntries}";
}
