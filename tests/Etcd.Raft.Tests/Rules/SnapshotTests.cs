using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using Google.Protobuf;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft paper §7: log compaction and snapshots for lagging followers.</summary>
public sealed class SnapshotTests
{
    private static Snapshot MakeSnapshot(ulong index, ulong term, params ulong[] voters)
    {
        var cs = new ConfState();
        cs.Voters.AddRange(voters);
        return new Snapshot { Data = ByteString.CopyFromUtf8("state"), Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = cs } };
    }

    /// <summary>A leader whose storage was compacted up to index 11 (snapshot 11, term 11).</summary>
    private static (Raft Leader, PresetStorage Storage) CompactedLeader()
    {
        var storage = PresetStorage.WithVoters(1, 2);
        storage.Inner.ApplySnapshot(MakeSnapshot(11, 11, 1, 2));
        var r = New(1, storage);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();
        return (r, storage);
    }

    [Fact]
    public void AFollowerBehindTheCompactedLogIsSentTheSnapshot()
    {
        var (r, _) = CompactedLeader();
        var pr = r.Tracker.Get(2)!;
        pr.Next = r.Log.FirstIndex - 1; // needs an entry that is gone
        pr.RecentActive = true;

        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term));

        var snap = Assert.Single(r.Read(), m => m.Type == MessageType.MsgSnap);
        Assert.Equal(11UL, snap.Snapshot.Metadata.Index);
        Assert.Equal(ProgressState.Snapshot, pr.State);
        Assert.Equal(11UL, pr.PendingSnapshot);
    }

    [Fact]
    public void WhileTheSnapshotIsInFlightNoAppendsAreSent()
    {
        var (r, _) = CompactedLeader();
        var pr = r.Tracker.Get(2)!;
        pr.BecomeSnapshot(11);

        r.Step(Prop(1));

        Assert.DoesNotContain(r.Read(), m => m.To == 2);
    }

    [Fact]
    public void AFinishedSnapshotResumesReplicationByProbingPastIt()
    {
        var (r, _) = CompactedLeader();
        var pr = r.Tracker.Get(2)!;
        pr.BecomeSnapshot(11);

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgSnapStatus });

        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(12UL, pr.Next);
        Assert.True(pr.ProbeSent); // waits for the follower's answer before the next append
    }

    [Fact]
    public void AFailedSnapshotIsRetriedFromScratch()
    {
        var (r, _) = CompactedLeader();
        var pr = r.Tracker.Get(2)!;
        pr.BecomeSnapshot(11);

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgSnapStatus, Reject = true });

        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(0UL, pr.PendingSnapshot);
        Assert.Equal(1UL, pr.Next);
    }

    [Fact]
    public void AFollowerAcknowledgingPastTheSnapshotReturnsToReplication()
    {
        var (r, _) = CompactedLeader();
        var pr = r.Tracker.Get(2)!;
        pr.BecomeSnapshot(11);

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: 11));

        Assert.Equal(ProgressState.Replicate, pr.State);
        Assert.Equal(11UL, pr.Match);
    }

    [Fact]
    public void AFollowerRestoresTheSnapshotAndAcknowledgesItsIndex()
    {
        var r = New(2, [1, 2]);
        var m = Msg(1, 2, MessageType.MsgSnap, term: 2);
        m.Snapshot = MakeSnapshot(11, 11, 1, 2);

        r.Step(m);

        Assert.Equal(11UL, r.Log.Committed);
        Assert.Equal(11UL, r.Log.LastIndex);
        Assert.NotNull(r.Log.Unstable.Snapshot);
        var ack = Assert.Single(r.Read());
        Assert.Equal(MessageType.MsgAppResp, ack.Type);
        Assert.Equal(11UL, ack.Index);
    }

    [Fact]
    public void ASnapshotNotNewerThanTheCommitIndexIsIgnored()
    {
        var r = WithLog(2, [1, 2], [1, 1, 1], term: 1);
        r.BecomeFollower(1, 1);
        r.Log.CommitTo(3);
        var m = Msg(1, 2, MessageType.MsgSnap, term: 1);
        m.Snapshot = MakeSnapshot(2, 1, 1, 2);

        r.Step(m);

        Assert.Null(r.Log.Unstable.Snapshot);
        Assert.Equal(3UL, Assert.Single(r.Read()).Index);
    }

    [Fact]
    public void ASnapshotWhoseLastEntryWeHaveOnlyFastForwardsTheCommitIndex()
    {
        var r = WithLog(2, [1, 2], [1, 1, 1], term: 1);
        r.BecomeFollower(1, 1);
        var m = Msg(1, 2, MessageType.MsgSnap, term: 1);
        m.Snapshot = MakeSnapshot(2, 1, 1, 2);

        r.Step(m);

        Assert.Null(r.Log.Unstable.Snapshot);
        Assert.Equal(2UL, r.Log.Committed);
        Assert.Equal(3UL, r.Log.LastIndex);
    }

    [Fact]
    public void ASnapshotThatDoesNotIncludeTheRecipientIsIgnored()
    {
        var r = New(3, [1, 2, 3]);
        var m = Msg(1, 3, MessageType.MsgSnap, term: 2);
        m.Snapshot = MakeSnapshot(11, 11, 1, 2);

        r.Step(m);

        Assert.Equal(0UL, r.Log.Committed);
    }

    [Fact]
    public void AnOutgoingVoterOfAJointConfigurationInstallsTheSnapshot()
    {
        // Regression (found by the simulator): only the incoming voters and learners were checked.
        var r = New(1, [1, 2, 3]);
        var m = Msg(3, 1, MessageType.MsgSnap, term: 2);
        m.Snapshot = MakeSnapshot(11, 11, 2, 3, 4);
        m.Snapshot.Metadata.ConfState.VotersOutgoing.AddRange([1, 2, 3]);

        r.Step(m);

        Assert.Equal(11UL, r.Log.Committed);
        Assert.True(r.Tracker.Config.Voters.IsJoint);
    }

    [Fact]
    public void RestoringASnapshotAdoptsItsMembership()
    {
        var r = New(2, [1, 2]);
        var m = Msg(1, 2, MessageType.MsgSnap, term: 2);
        m.Snapshot = MakeSnapshot(11, 11, 1, 2, 3);

        r.Step(m);

        Assert.Equal(IdSet.Of(1, 2, 3), r.Tracker.Config.Voters.Incoming);
    }

    [Fact]
    public void ANodeRestartsFromItsSnapshotAndLog()
    {
        var storage = PresetStorage.WithVoters(1, 2);
        storage.Inner.ApplySnapshot(MakeSnapshot(11, 11, 1, 2));
        storage.Inner.Append([Ent(11, 12), Ent(12, 13)]);
        storage.Inner.SetHardState(new HardState { Term = 12, Commit = 12 });

        var r = New(1, storage);

        Assert.Equal(12UL, r.Term);
        Assert.Equal(12UL, r.Log.Committed);
        Assert.Equal(11UL, r.Log.Applied);
        Assert.Equal(13UL, r.Log.LastIndex);
        Assert.Equal(12UL, r.Log.FirstIndex);
    }
}
