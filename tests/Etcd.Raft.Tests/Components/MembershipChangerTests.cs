using Etcd.Raft.Membership;
using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;

namespace Etcd.Raft.Tests.Components;

public sealed class MembershipChangerTests
{
    private static ConfChangeResult Apply(ConfChangeResult from, Func<ConfChanger, ConfChangeResult> change) =>
        change(new ConfChanger(from.Config, from.Progress, 8, 10));

    private static ConfChangeResult Start(string voters)
    {
        var empty = new ConfChangeResult(MembershipConfig.Empty, new Dictionary<ulong, Progress>(), null);
        return Apply(empty, c => c.Simple(RaftFormat.ParseConfChanges(voters)));
    }

    [Fact]
    public void SimpleChangesAddAndRemoveOneVoterAtATime()
    {
        var one = Start("v1");
        var two = Apply(one, c => c.Simple(RaftFormat.ParseConfChanges("v2 l3")));
        Assert.True(two.Succeeded, two.Error);
        Assert.Equal("voters=(1 2) learners=(3)", two.Config.ToString());
        Assert.True(two.Progress[3].IsLearner);
        Assert.Equal(10UL, two.Progress[2].Next); // probing starts at the last index

        var removed = Apply(two, c => c.Simple(RaftFormat.ParseConfChanges("r1")));
        Assert.Equal("voters=(2) learners=(3)", removed.Config.ToString());
        Assert.False(removed.Progress.ContainsKey(1));
    }

    [Fact]
    public void RemovingTheLastVoterIsRefused()
    {
        var result = Apply(Start("v1"), c => c.Simple(RaftFormat.ParseConfChanges("r1")));
        Assert.Equal("removed all voters", result.Error);
    }

    [Fact]
    public void EnterJointKeepsTheOldVotersAsTheOutgoingHalf()
    {
        var start = Apply(Start("v1"), c => c.Simple(RaftFormat.ParseConfChanges("v2")));
        start = Apply(start, c => c.Simple(RaftFormat.ParseConfChanges("v3")));

        var joint = Apply(start, c => c.EnterJoint(autoLeave: true, RaftFormat.ParseConfChanges("r1 v4 l3")));

        Assert.True(joint.Succeeded, joint.Error);
        Assert.Equal("voters=(2 4)&&(1 2 3) learners_next=(3) autoleave", joint.Config.ToString());
        Assert.True(joint.Progress.ContainsKey(1)); // still an outgoing voter
        Assert.Equal("config is already joint", Apply(joint, c => c.EnterJoint(false, [])).Error);
        Assert.Equal("can't apply simple config change in joint config", Apply(joint, c => c.Simple(RaftFormat.ParseConfChanges("v5"))).Error);

        var left = Apply(joint, c => c.LeaveJoint());
        Assert.Equal("voters=(2 4) learners=(3)", left.Config.ToString());
        Assert.False(left.Progress.ContainsKey(1));
        Assert.True(left.Progress[3].IsLearner);
    }

    [Fact]
    public void LeavingANonJointConfigIsRefused()
    {
        Assert.Equal("can't leave a non-joint config", Apply(Start("v1"), c => c.LeaveJoint()).Error);
    }

    [Theory]
    [InlineData("voters=(1 2 3)", new ulong[] { 1, 2, 3 }, new ulong[0], new ulong[0], new ulong[0], false)]
    [InlineData("voters=(1 2) learners=(3)", new ulong[] { 1, 2 }, new ulong[] { 3 }, new ulong[0], new ulong[0], false)]
    [InlineData("voters=(2 4)&&(1 2 3) learners_next=(3) autoleave", new ulong[] { 2, 4 }, new ulong[0], new ulong[] { 1, 2, 3 }, new ulong[] { 3 }, true)]
    public void AConfStateRestoresToTheSameMembership(string expected, ulong[] voters, ulong[] learners, ulong[] outgoing, ulong[] learnersNext, bool autoLeave)
    {
        var cs = new ConfState { AutoLeave = autoLeave };
        cs.Voters.AddRange(voters);
        cs.Learners.AddRange(learners);
        cs.VotersOutgoing.AddRange(outgoing);
        cs.LearnersNext.AddRange(learnersNext);

        var restored = ConfStateRestorer.Restore(cs, 8, 10);

        Assert.True(restored.Succeeded, restored.Error);
        Assert.Equal(expected, restored.Config.ToString());
        Assert.Equal(RaftFormat.ConfState(cs), RaftFormat.ConfState(restored.Config.ToConfState()));
    }
}
