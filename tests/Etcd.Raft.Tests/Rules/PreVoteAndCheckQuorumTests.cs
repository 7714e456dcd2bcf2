using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft thesis §9.6 (pre-vote) and §6.2 / §4.2.3 (check-quorum and leader leases).</summary>
public sealed class PreVoteAndCheckQuorumTests
{
    [Fact]
    public void PreVote_APreCandidateKeepsItsTermAndVoteUntilAQuorumWouldElectIt()
    {
        var r = New(1, [1, 2, 3], options: o => o.PreVote = true);
        r.TickUntilElection();

        Assert.Equal(RaftState.PreCandidate, r.State);
        Assert.Equal(0UL, r.Term);
        Assert.Equal(0UL, r.Vote);
        Assert.All(r.Read(), m =>
        {
            Assert.Equal(MessageType.MsgPreVote, m.Type);
            Assert.Equal(1UL, m.Term); // asks about the next term
        });

        r.Step(Msg(2, 1, MessageType.MsgPreVoteResp, term: 1));

        Assert.Equal(RaftState.Candidate, r.State);
        Assert.Equal(1UL, r.Term);
    }

    [Fact]
    public void PreVote_AnIsolatedNodeDoesNotDisruptTheClusterWhenItReturns()
    {
        var net = Network.OfSize(3, o => o.PreVote = true);
        net.Campaign(1);
        net.Isolate(3);
        for (int i = 0; i < 5; i++)
        {
            net[3].TickUntilElection();
            net.Send([.. net[3].TakeMessages()]);
        }

        Assert.Equal(1UL, net[3].Term); // pre-votes never raised it
        net.Recover();
        net.Propose(1);

        Assert.Equal(RaftState.Leader, net[1].State);
        Assert.Equal(1UL, net[1].Term);
        Assert.Equal(net[1].LogTerms(), net[3].LogTerms());
    }

    [Fact]
    public void WithoutPreVote_AReturningIsolatedNodeForcesANewTerm()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Isolate(3);
        net.Propose(1); // 3 falls behind
        net[3].TickUntilElection();
        net.Send([.. net[3].TakeMessages()]);
        Assert.Equal(2UL, net[3].Term);

        net.Recover();
        net.Campaign(3); // its vote request (term 3) deposes leader 1, though 3's log is behind

        Assert.Equal(3UL, net[1].Term);
        Assert.NotEqual(RaftState.Leader, net[3].State);
    }

    [Fact]
    public void PreVote_IsRejectedForACandidateWithAStaleLog()
    {
        var r = WithLog(1, [1, 2, 3], [1, 1, 2], term: 2, options: o => o.PreVote = true);

        r.Step(Msg(2, 1, MessageType.MsgPreVote, term: 3, index: 2, logTerm: 1));

        var response = Assert.Single(r.Read());
        Assert.True(response.Reject);
        Assert.Equal(2UL, r.Term); // pre-votes never change the voter's term
    }

    [Fact]
    public void CheckQuorum_ALeaderThatCannotHearAQuorumStepsDown()
    {
        var net = Network.OfSize(3, o => o.CheckQuorum = true);
        net.Campaign(1);
        net.Isolate(1);

        for (int i = 0; i < 2 * net[1].ElectionTimeout; i++)
        {
            net[1].Tick();
        }

        Assert.Equal(RaftState.Follower, net[1].State);
    }

    [Fact]
    public void CheckQuorum_ALeaderHearingFromAQuorumStaysLeader()
    {
        var net = Network.OfSize(3, o => o.CheckQuorum = true);
        net.Campaign(1);
        for (int i = 0; i < 3 * net[1].ElectionTimeout; i++)
        {
            net[1].Tick();
            net.Send([.. net[1].TakeMessages()]);
        }

        Assert.Equal(RaftState.Leader, net[1].State);
    }

    [Fact]
    public void LeaderLease_AFollowerThatHeardFromTheLeaderIgnoresVoteRequests()
    {
        var net = Network.OfSize(3, o => o.CheckQuorum = true);
        net.Campaign(1);
        ulong term = net[2].Term;

        // Node 3 campaigns right away, while 2 still hears from leader 1: 2 ignores it entirely.
        net[3].BecomeCandidate();
        net.Send([.. net[3].TakeMessages().Where(m => m.To == 2)]);

        Assert.Equal(term, net[2].Term);
        Assert.Equal(RaftState.Leader, net[1].State);
    }

    [Fact]
    public void ALeaderOfAStaleTermLearnsTheNewTermFromAFollowerAnsweringItsAppend()
    {
        var r = New(1, [1, 2, 3], options: o => o.CheckQuorum = true);
        r.BecomeFollower(5, 0);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 3));

        var answer = Assert.Single(r.Read());
        Assert.Equal(MessageType.MsgAppResp, answer.Type);
        Assert.Equal(5UL, answer.Term);
    }

    [Fact]
    public void ALearnerWithAHigherTermTellsAStaleLeaderEvenWithoutCheckQuorumOrPreVote()
    {
        // Regression (found by the simulator): a learner never campaigns, so if it stays silent the
        // leader of the older term can never reach it.
        var r = New(4, PresetStorage.WithMembers([1, 2, 3], [4]));
        r.BecomeFollower(5, 0);

        r.Step(Msg(1, 4, MessageType.MsgHeartbeat, term: 3));

        var answer = Assert.Single(r.Read());
        Assert.Equal(MessageType.MsgAppResp, answer.Type);
        Assert.Equal(5UL, answer.Term);
    }
}
