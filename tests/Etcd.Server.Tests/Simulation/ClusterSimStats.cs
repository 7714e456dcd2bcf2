namespace Etcd.Server.Tests.Simulation;

/// <summary>What a run (or many) exercised, so a simulator that stopped doing anything interesting is noticed.</summary>
internal sealed class ClusterSimStats
{
    public long Proposed { get; set; }
    public long Acked { get; set; }
    public long FailedOrDropped { get; set; }
    public long Crashes { get; set; }
    public long PowerLosses { get; set; }
    public long MidReadyCrashes { get; set; }
    public long Partitions { get; set; }
    public long MemberUpdatesApplied { get; set; }
    public long SnapshotsTaken { get; set; }
    public long SnapshotsSent { get; set; }
    public long SnapshotsInstalled { get; set; }
    public long EntriesApplied { get; set; }
    public long Reads { get; set; }
    public long ReadsAnswered { get; set; }
    public long WatchConnects { get; set; }
    public long WatchEvents { get; set; }
    public long WatchCompactions { get; set; }
    public long LeasesGranted { get; set; }
    public long KeepAlives { get; set; }
    public long LeasesExpired { get; set; }
    public long Delivered { get; set; }
    public long Dropped { get; set; }
    public long AuthChanges { get; set; }
    public long MembershipChanges { get; set; }
    public long MembersRemoved { get; set; }
    public long AlarmChanges { get; set; }
    public long DigestsCompared { get; set; }
    public long ThreeMemberRuns { get; set; }
    public long FiveMemberRuns { get; set; }

    /// <summary>A digest of the run's outcome, equal for equal runs.</summary>
    public string Fingerprint { get; set; } = "";

    public void Add(ClusterSimStats other)
    {
        lock (this)
        {
            Proposed += other.Proposed;
            Acked += other.Acked;
            FailedOrDropped += other.FailedOrDropped;
            Crashes += other.Crashes;
            PowerLosses += other.PowerLosses;
            MidReadyCrashes += other.MidReadyCrashes;
            Partitions += other.Partitions;
            MemberUpdatesApplied += other.MemberUpdatesApplied;
            SnapshotsTaken += other.SnapshotsTaken;
            SnapshotsSent += other.SnapshotsSent;
            SnapshotsInstalled += other.SnapshotsInstalled;
            EntriesApplied += other.EntriesApplied;
            Reads += other.Reads;
            ReadsAnswered += other.ReadsAnswered;
            WatchConnects += other.WatchConnects;
            WatchEvents += other.WatchEvents;
            WatchCompactions += other.WatchCompactions;
            LeasesGranted += other.LeasesGranted;
            KeepAlives += other.KeepAlives;
            LeasesExpired += other.LeasesExpired;
            Delivered += other.Delivered;
            Dropped += other.Dropped;
            AuthChanges += other.AuthChanges;
            MembershipChanges += other.MembershipChanges;
            MembersRemoved += other.MembersRemoved;
            AlarmChanges += other.AlarmChanges;
            DigestsCompared += other.DigestsCompared;
            ThreeMemberRuns += other.ThreeMemberRuns;
            FiveMemberRuns += other.FiveMemberRuns;
        }
    }

    public override string ToString() =>
        $"runs 3/5 members={ThreeMemberRuns}/{FiveMemberRuns} proposed={Proposed} acked={Acked} failed/dropped={FailedOrDropped} " +
        $"crashes={Crashes} (power losses={PowerLosses}, mid-Ready={MidReadyCrashes}) partitions={Partitions} member updates={MemberUpdatesApplied} " +
        $"snapshots taken={SnapshotsTaken} sent={SnapshotsSent} installed={SnapshotsInstalled} applied={EntriesApplied} reads={Reads} answered={ReadsAnswered} watch connects={WatchConnects} events={WatchEvents} compacted={WatchCompactions} leases granted={LeasesGranted} keep-alives={KeepAlives} ended={LeasesExpired} " +
        $"membership changes={MembershipChanges} members removed={MembersRemoved} auth changes={AuthChanges} alarm changes={AlarmChanges} digests compared={DigestsCompared} messages delivered={Delivered} dropped={Dropped}";
}
