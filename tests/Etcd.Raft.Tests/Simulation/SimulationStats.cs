namespace Etcd.Raft.Tests.Simulation;

/// <summary>What a run exercised, so that a passing run can be seen not to be vacuous.</summary>
internal sealed class SimulationStats
{
    public long Delivered;
    public long Crashes;
    public long LeaderTerms;
    public long SnapshotsInstalled;
    public long ConfChangesApplied;
    public long ReadsChecked;
    public long EntriesApplied;

    /// <summary>A running hash of every delivery: equal for two runs of one seed iff they behaved alike.</summary>
    public ulong Fingerprint;

    public void Add(SimulationStats other)
    {
        Interlocked.Add(ref Delivered, other.Delivered);
        Interlocked.Add(ref Crashes, other.Crashes);
        Interlocked.Add(ref LeaderTerms, other.LeaderTerms);
        Interlocked.Add(ref SnapshotsInstalled, other.SnapshotsInstalled);
        Interlocked.Add(ref ConfChangesApplied, other.ConfChangesApplied);
        Interlocked.Add(ref ReadsChecked, other.ReadsChecked);
        Interlocked.Add(ref EntriesApplied, other.EntriesApplied);
    }

    public void Mix(ulong value) => Fingerprint = (Fingerprint ^ value) * 0x100000001B3UL + 0x9E3779B97F4A7C15UL;

    public override string ToString() =>
        $"{Delivered} messages delivered, {LeaderTerms} leader terms, {Crashes} crashes, {SnapshotsInstalled} snapshots installed, " +
        $"{ConfChangesApplied} conf changes applied, {ReadsChecked} read indexes checked, {EntriesApplied} entries applied";
}
