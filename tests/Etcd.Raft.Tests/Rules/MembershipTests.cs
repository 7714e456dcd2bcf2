using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using Google.Protobuf;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft thesis §4: membership changes, learners and joint consensus.</summary>
public sealed class MembershipTests
{
    private static Entry ConfChangeEntry(ConfChangeV2 cc) => new() { Type = EntryType.EntryConfChangeV2, Data = cc.ToByteString() };

    private static ConfChangeV2 Changes(string text, ConfChangeTransition transition = ConfChangeTransition.Auto)
    {
        var cc = new ConfChangeV2 { Transition = transition };
        cc.Changes.AddRange(RaftFormat.ParseConfChanges(text));
        return cc;
    }

    private static Raft Leader(ulong[] voters)
    {
        var r = New(1, voters);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();
        return r;
    }

    [Fact]
    public void OnlyOneConfigurationChangeMayBePendingAtATime()
    {
        var r = Leader([1]);
        r.Log.AppliedTo(r.Log.Committed);
        r.Step(Msg(1, 1, MessageType.MsgProp, entries: ConfChangeEntry(Changes("v2"))));
        r.Step(Msg(1, 1, MessageType.MsgProp, entries: ConfChangeEntry(Changes("v3"))));

        r.Log.TrySlice(2, r.Log.LastIndex + 1, ulong.MaxValue, out var entries);
        Assert.Equal([EntryType.EntryConfChangeV2, EntryType.EntryNormal], entries.Select(e => e.Type));
    }

    [Fact]
    public void ANewLeaderRefusesChangesUntilItsLogIsApplied()
    {
        var r = WithLog(1, [1], [1, 1], term: 1);
        r.BecomeCandidate();
        r.BecomeLeader();

        // Entries 1 and 2 are not applied yet: either might be a pending change.
        r.Step(Msg(1, 1, MessageType.MsgProp, entries: ConfChangeEntry(Changes("v2"))));

        Assert.Equal(EntryType.EntryNormal, r.Log.Unstable.Entries[^1].Type);
    }

    [Fact]
    public void AddingAVoterEnlargesTheQuorum()
    {
        var r = Leader([1]);
        r.ApplyConfChange(Changes("v2"));

        r.Step(Prop(1));
        Assert.Equal(1UL, r.Log.Committed); // 2 must acknowledge now

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(2UL, r.Log.Committed);
    }

    [Fact]
    public void RemovingAVoterShrinksTheQuorumAndMayCommitPendingEntries()
    {
        var r = Leader([1, 2]);
        r.Step(Prop(1));
        Assert.Equal(0UL, r.Log.Committed);

        r.ApplyConfChange(Changes("r2"));

        Assert.Equal(2UL, r.Log.Committed);
    }

    [Fact]
    public void LearnersReceiveTheLogButDoNotCountTowardCommit()
    {
        var r = Leader([1, 2]);
        r.ApplyConfChange(Changes("l3"));
        r.Step(Prop(1));
        Assert.Contains(r.Read(), m => m.To == 3 && m.Type == MessageType.MsgApp);

        r.Step(Msg(3, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(0UL, r.Log.Committed);

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(2UL, r.Log.Committed);
    }

    [Fact]
    public void ALearnerCanBePromotedToVoter()
    {
        var r = New(2, PresetStorage.WithMembers([1], [2]));
        Assert.True(r.IsLearner);
        Assert.False(r.Promotable);

        r.ApplyConfChange(Changes("v2"));

        Assert.False(r.IsLearner);
        Assert.True(r.Promotable);
    }

    [Fact]
    public void JointConsensus_DecisionsNeedAMajorityOfBothConfigurations()
    {
        var r = Leader([1, 2, 3]);

        // Replace 2 and 3 by 4 and 5: incoming (1 4 5), outgoing (1 2 3).
        r.ApplyConfChange(Changes("v4 v5 r2 r3"));
        Assert.True(r.Tracker.Config.Voters.IsJoint);
        r.Read();
        r.Step(Prop(1));

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 2));
        r.Step(Msg(3, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(0UL, r.Log.Committed); // the outgoing majority alone is not enough

        r.Step(Msg(4, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(2UL, r.Log.Committed);
    }

    [Fact]
    public void JointConsensus_AutoLeaveProposesTheEmptyChangeOnceApplied()
    {
        var r = Leader([1]);
        r.Log.AppliedTo(r.Log.Committed);
        r.Step(Msg(1, 1, MessageType.MsgProp, entries: ConfChangeEntry(Changes("v2 v3"))));
        ulong ccIndex = r.Log.LastIndex;
        r.ApplyConfChange(Changes("v2 v3"));
        Assert.True(r.Tracker.Config.AutoLeave);

        // The application reports the change applied: Raft proposes leaving the joint config.
        r.Log.CommitTo(ccIndex);
        r.Advance(ccIndex, [], [], 0);

        var last = r.Log.Unstable.Entries[^1];
        Assert.Equal(EntryType.EntryConfChangeV2, last.Type);
        Assert.True(ConfChangeV2.Parser.ParseFrom(last.Data).LeavesJoint());
    }

    [Fact]
    public void JointConsensus_ExplicitTransitionWaitsForTheApplication()
    {
        var r = Leader([1]);
        r.ApplyConfChange(Changes("v2", ConfChangeTransition.JointExplicit));
        Assert.True(r.Tracker.Config.Voters.IsJoint);
        Assert.False(r.Tracker.Config.AutoLeave);

        r.ApplyConfChange(new ConfChangeV2());

        Assert.False(r.Tracker.Config.Voters.IsJoint);
        Assert.Equal(IdSet.Of(1, 2), r.Tracker.Config.Voters.Incoming);
    }

    [Fact]
    public void JointConsensus_ADemotedVoterBecomesALearnerWhenTheJointConfigIsLeft()
    {
        var r = Leader([1, 2, 3]);
        r.ApplyConfChange(Changes("l3 v4"));
        Assert.Equal(IdSet.Of(3), r.Tracker.Config.LearnersNext);

        r.ApplyConfChange(new ConfChangeV2());

        Assert.Equal(IdSet.Of(3), r.Tracker.Config.Learners);
        Assert.Equal(IdSet.Of(1, 2, 4), r.Tracker.Config.Voters.Incoming);
    }

    [Fact]
    public void ChangingTwoVotersWithoutJointConsensusIsRejected()
    {
        var r = Leader([1, 2, 3]);
        var changer = new Membership.ConfChanger(r.Tracker.Config, r.Tracker.Progress, r.Tracker.MaxInflight, r.Log.LastIndex);

        var result = changer.Simple(RaftFormat.ParseConfChanges("v4 r2"));

        Assert.False(result.Succeeded);
        Assert.Contains("more than one voter changed", result.Error);
    }

    [Fact]
    public void ALeaderRemovedFromTheConfigurationRefusesProposals()
    {
        var r = Leader([1, 2]);
        r.ApplyConfChange(Changes("r1"));

        Assert.Equal(RaftError.ProposalDropped, r.Step(Prop(1)));
    }

    [Fact]
    public void ALeaderRemovedFromTheConfigurationHandsLeadershipToTheMostCaughtUpVoter()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Propose(1);

        // 3 lags behind; 2 is caught up and gets leadership when 1 removes itself.
        net.Isolate(3);
        net.Propose(1);
        net.Recover();
        net[1].ApplyConfChange(Changes("r1"));
        net.Send([.. net[1].TakeMessages()]);

        Assert.Equal(RaftState.Leader, net[2].State);
        Assert.Equal(RaftState.Follower, net[1].State);
    }

    [Fact]
    public void AFollowerCannotCampaignWithACommittedButUnappliedConfChange()
    {
        var storage = PresetStorage.WithVoters(1, 2, 3);
        storage.Inner.Append([new Entry { Term = 1, Index = 1, Type = EntryType.EntryConfChangeV2, Data = Changes("v4").ToByteString() }]);
        storage.Inner.SetHardState(new HardState { Term = 1, Commit = 1 });
        var r = New(1, storage);

        r.TickUntilElection();

        Assert.Equal(RaftState.Follower, r.State);
    }
}
