using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft paper §5.1 (terms) and §5.2 (leader election).</summary>
public sealed class LeaderElectionTests
{
    [Theory]
    [InlineData(RaftState.Follower)]
    [InlineData(RaftState.Candidate)]
    [InlineData(RaftState.Leader)]
    public void S5_1_ANodeSeeingAHigherTermAdoptsItAndBecomesFollower(RaftState state)
    {
        var r = New(1, [1, 2, 3]);
        switch (state)
        {
            case RaftState.Candidate:
                r.BecomeCandidate();
                break;
            case RaftState.Leader:
                r.BecomeCandidate();
                r.BecomeLeader();
                break;
        }

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 5));

        Assert.Equal(5UL, r.Term);
        Assert.Equal(RaftState.Follower, r.State);
        Assert.Equal(2UL, r.Lead);
    }

    [Fact]
    public void S5_1_MessagesOfAnOlderTermAreIgnored()
    {
        var r = New(1, [1, 2]);
        r.BecomeFollower(2, 0);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 1, entries: Ent(1, 1)));

        Assert.Equal(0UL, r.Log.LastIndex);
        Assert.Empty(r.Read());
    }

    [Fact]
    public void S5_2_NodesStartAsFollowers()
    {
        var r = New(1, [1, 2, 3]);
        Assert.Equal(RaftState.Follower, r.State);
        Assert.Equal(0UL, r.Term);
    }

    [Fact]
    public void S5_2_LeaderSendsHeartbeatsEveryHeartbeatTimeout()
    {
        var r = New(1, [1, 2, 3], election: 10, heartbeat: 1);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();

        r.Tick();

        var sent = r.Read();
        Assert.Equal([2UL, 3UL], sent.Select(m => m.To));
        Assert.All(sent, m => Assert.Equal(MessageType.MsgHeartbeat, m.Type));
        Assert.All(sent, m => Assert.Equal(1UL, m.Term));
    }

    [Theory]
    [InlineData(RaftState.Follower)]
    [InlineData(RaftState.Candidate)]
    public void S5_2_NoWordFromALeaderWithinTheElectionTimeoutStartsAnElection(RaftState state)
    {
        var r = New(1, [1, 2, 3]);
        if (state == RaftState.Candidate)
        {
            r.BecomeCandidate();
        }

        r.TickUntilElection();

        Assert.Equal(RaftState.Candidate, r.State);
        Assert.Equal(state == RaftState.Candidate ? 2UL : 1UL, r.Term);
        Assert.Equal(1UL, r.Vote);
        var sent = r.Read();
        Assert.Equal([2UL, 3UL], sent.Select(m => m.To));
        Assert.All(sent, m => Assert.Equal(MessageType.MsgVote, m.Type));
    }

    [Theory]
    [InlineData(1, new ulong[0], RaftState.Leader)]
    [InlineData(3, new ulong[] { 2, 3 }, RaftState.Leader)]
    [InlineData(3, new ulong[] { 2 }, RaftState.Leader)]
    [InlineData(5, new ulong[] { 2, 3, 4, 5 }, RaftState.Leader)]
    [InlineData(5, new ulong[] { 2, 3 }, RaftState.Leader)]
    [InlineData(3, new ulong[0], RaftState.Candidate)]
    [InlineData(5, new ulong[] { 2 }, RaftState.Candidate)]
    public void S5_2_ACandidateWinsWithVotesFromAMajority(int size, ulong[] granting, RaftState expected)
    {
        ulong[] ids = [.. Enumerable.Range(1, size).Select(i => (ulong)i)];
        var r = New(1, ids);
        r.Step(Msg(1, 1, MessageType.MsgHup));
        foreach (ulong id in granting)
        {
            r.Step(Msg(id, 1, MessageType.MsgVoteResp, term: r.Term));
        }

        Assert.Equal(expected, r.State);
        Assert.Equal(1UL, r.Term);
    }

    [Fact]
    public void S5_2_ACandidateLosesWhenAMajorityRejects()
    {
        var r = New(1, [1, 2, 3]);
        r.Step(Msg(1, 1, MessageType.MsgHup));
        r.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1, reject: true));
        r.Step(Msg(3, 1, MessageType.MsgVoteResp, term: 1, reject: true));

        Assert.Equal(RaftState.Follower, r.State);
    }

    [Theory]
    [InlineData(0UL, 2UL, false)] // no vote yet: grant
    [InlineData(2UL, 2UL, false)] // repeat for the same candidate: grant
    [InlineData(3UL, 2UL, true)] // already voted for another: reject
    public void S5_2_AFollowerVotesForAtMostOneCandidatePerTerm(ulong priorVote, ulong candidate, bool rejected)
    {
        var storage = PresetStorage.WithVoters(1, 2, 3);
        storage.Inner.SetHardState(new HardState { Term = 1, Vote = priorVote });
        var r = New(1, storage);

        r.Step(Msg(candidate, 1, MessageType.MsgVote, term: 1));

        var response = Assert.Single(r.Read());
        Assert.Equal(MessageType.MsgVoteResp, response.Type);
        Assert.Equal(rejected, response.Reject);
    }

    [Fact]
    public void S5_2_ACandidateHearingFromTheLeaderOfItsTermStepsDown()
    {
        var r = New(1, [1, 2, 3]);
        r.Step(Msg(1, 1, MessageType.MsgHup));

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 1));

        Assert.Equal(RaftState.Follower, r.State);
        Assert.Equal(1UL, r.Term);
        Assert.Equal(2UL, r.Lead);
    }

    [Fact]
    public void S5_2_ElectionTimeoutsAreRandomizedWithinOneToTwoTimeouts()
    {
        var seen = new HashSet<int>();
        for (int seed = 0; seed < 200; seed++)
        {
            var r = New(1, [1, 2, 3], options: o => o.Seed = seed);
            int ticks = 0;
            while (r.State == RaftState.Follower)
            {
                r.Tick();
                ticks++;
            }

            Assert.InRange(ticks, 10, 19);
            seen.Add(ticks);
        }

        Assert.True(seen.Count > 5, "timeouts should spread over the range");
    }

    [Fact]
    public void S5_2_RandomizedTimeoutsUsuallyLetOneNodeTimeOutFirst()
    {
        int conflicts = 0;
        for (int seed = 0; seed < 1000; seed++)
        {
            var a = New(1, [1, 2], options: o => o.Seed = seed);
            var b = New(2, [1, 2], options: o => o.Seed = seed + 100_000);
            for (int t = 0; t < 20 && a.State == RaftState.Follower && b.State == RaftState.Follower; t++)
            {
                a.Tick();
                b.Tick();
            }

            conflicts += a.State == RaftState.Candidate && b.State == RaftState.Candidate ? 1 : 0;
        }

        // With 10 possible timeouts, about one pair in ten collides.
        Assert.InRange(conflicts, 0, 300);
    }

    [Fact]
    public void ElectionSafety_AtMostOneLeaderPerTerm_WhenTwoCandidatesSplitTheVote()
    {
        var net = Network.OfSize(3);
        net.Cut(1, 3);
        net.Campaign(1); // 1 wins with 2's vote
        net.Campaign(3); // 3 cannot reach 1; 2 already voted in term 1? No: 3 campaigns at term 2
        var leaders = net.Peers.Values.Where(r => r.State == RaftState.Leader).GroupBy(r => r.Term);
        Assert.All(leaders, g => Assert.Single(g));
    }

    [Fact]
    public void ALearnerNeverCampaigns()
    {
        var r = New(2, PresetStorage.WithMembers([1], [2]));
        r.TickUntilElection();
        r.TickUntilElection();
        Assert.Equal(RaftState.Follower, r.State);
        Assert.Empty(r.Read());
    }
}
