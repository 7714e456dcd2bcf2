using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Per-follower flow control: probing, the in-flight window, and fast back-off on rejection.</summary>
public sealed class FlowControlTests
{
    private static Raft ReplicatingLeader(int maxInflight)
    {
        var r = New(1, [1, 2], options: o => o.MaxInflight = maxInflight);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        r.Read();
        Assert.Equal(ProgressState.Replicate, r.Tracker.Get(2)!.State);
        return r;
    }

    [Fact]
    public void InReplicateState_AtMostTheWindowOfAppendsIsInFlight()
    {
        var r = ReplicatingLeader(maxInflight: 3);
        int sent = 0;
        for (int i = 0; i < 10; i++)
        {
            // Each proposal in its own Ready, so appends are not merged.
            r.Step(Prop(1));
            sent += r.Read().Count(m => m.Type == MessageType.MsgApp);
        }

        Assert.Equal(3, sent);
        Assert.True(r.Tracker.Get(2)!.IsPaused);
    }

    [Fact]
    public void AnAcknowledgementFreesWindowSlotsAndSendsTheBacklog()
    {
        var r = ReplicatingLeader(maxInflight: 3);
        for (int i = 0; i < 10; i++)
        {
            r.Step(Prop(1));
            r.Read();
        }

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 4)); // acknowledges three appends

        var sent = r.Read().Where(m => m.Type == MessageType.MsgApp && m.Entries.Count > 0).ToList();
        Assert.NotEmpty(sent);
        Assert.Equal(5UL, sent[0].Entries[0].Index);
    }

    [Fact]
    public void AHeartbeatResponseFreesOneSlotOfAFullWindow()
    {
        var r = ReplicatingLeader(maxInflight: 1);
        r.Step(Prop(1));
        r.Step(Prop(1));
        Assert.True(r.Tracker.Get(2)!.IsPaused);
        r.Read();

        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: 1));

        Assert.Contains(r.Read(), m => m.Type == MessageType.MsgApp);
    }

    [Fact]
    public void InProbeState_OneAppendIsOutstandingUntilAnswered()
    {
        var r = New(1, [1, 2]);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();

        r.Step(Prop(1));
        r.Step(Prop(1));

        Assert.Single(r.Read(), m => m.Type == MessageType.MsgApp);
        Assert.True(r.Tracker.Get(2)!.ProbeSent);
    }

    [Fact]
    public void ARejectionBacksOffStraightToTheFollowersLastIndex()
    {
        var r = WithLog(1, [1, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], term: 1);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();
        var pr = r.Tracker.Get(2)!;
        Assert.Equal(11UL, pr.Next);

        // The follower has only 3 entries: it rejects the probe after 10 hinting its last index.
        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgAppResp, Term = 2, Index = 10, Reject = true, RejectHint = 3 });

        Assert.Equal(4UL, pr.Next);
        var probe = Assert.Single(r.Read());
        Assert.Equal(3UL, probe.Index);
    }

    [Fact]
    public void AStaleRejectionIsIgnored()
    {
        var r = ReplicatingLeader(maxInflight: 10);
        r.Step(Prop(1));
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 2));
        r.Read();

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgAppResp, Term = 1, Index = 1, Reject = true, RejectHint = 1 });

        Assert.Equal(ProgressState.Replicate, r.Tracker.Get(2)!.State);
        Assert.Empty(r.Read());
    }

    [Fact]
    public void AnUnreachableReplicatingFollowerFallsBackToProbing()
    {
        var r = ReplicatingLeader(maxInflight: 10);

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgUnreachable });

        Assert.Equal(ProgressState.Probe, r.Tracker.Get(2)!.State);
    }

    [Fact]
    public void AppendsQueuedForOneFollowerInOneReadyAreMergedIntoOneMessage()
    {
        var r = ReplicatingLeader(maxInflight: 3);
        for (int i = 0; i < 10; i++)
        {
            r.Step(Prop(1, $"p{i}"));
        }

        var append = Assert.Single(r.Read());
        Assert.Equal(1UL, append.Index);
        Assert.Equal(10, append.Entries.Count);
        Assert.Equal(1, r.Tracker.Get(2)!.Inflights.Count); // one message occupies one slot

        // The merged message is subject to the size budget like any other.
        var small = New(1, [1, 2], options: o => o.MaxSizePerMsg = 0);
        small.BecomeCandidate();
        small.BecomeLeader();
        small.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        small.Read();
        small.Step(Prop(1));
        small.Step(Prop(1));
        Assert.Equal(2, small.Read().Count(m => m.Type == MessageType.MsgApp));
    }
}
