using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft paper §5.4 (safety): the election restriction and committing only current-term entries.</summary>
public sealed class SafetyTests
{
    [Theory]
    [InlineData(2UL, 2UL, false)] // same last term, same length
    [InlineData(2UL, 3UL, false)] // same last term, longer
    [InlineData(3UL, 1UL, false)] // higher last term
    [InlineData(2UL, 1UL, true)] // same last term, shorter
    [InlineData(1UL, 3UL, true)] // lower last term
    public void S5_4_1_VotesGoOnlyToCandidatesWithLogsAtLeastAsUpToDate(ulong logTerm, ulong index, bool rejected)
    {
        var r = WithLog(1, [1, 2, 3], [1, 2], term: 2);

        r.Step(Msg(2, 1, MessageType.MsgVote, term: 3, logTerm: logTerm, index: index));

        var response = Assert.Single(r.Read());
        Assert.Equal(rejected, response.Reject);
    }

    [Fact]
    public void S5_4_1_ACandidateSendsItsLastIndexAndTermWithVoteRequests()
    {
        var r = WithLog(1, [1, 2, 3], [1, 1, 2], term: 2);
        r.TickUntilElection();
        Assert.All(r.Read(), m =>
        {
            Assert.Equal(3UL, m.Index);
            Assert.Equal(2UL, m.LogTerm);
            Assert.Equal(3UL, m.Term);
        });
    }

    [Fact]
    public void S5_4_2_ALeaderDoesNotCommitEntriesOfPreviousTermsByCountingReplicas()
    {
        // The figure 8 scenario: entry 2 of term 2 is on a majority but must not be committed by the
        // term-4 leader until an entry of term 4 is.
        var r = WithLog(1, [1, 2, 3, 4, 5], [1, 2], term: 3);
        r.BecomeCandidate(); // term 4
        r.BecomeLeader(); // appends 4/3
        r.Read();

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 4, index: 2));
        r.Step(Msg(3, 1, MessageType.MsgAppResp, term: 4, index: 2));
        Assert.Equal(0UL, r.Log.Committed);

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 4, index: 3));
        r.Step(Msg(3, 1, MessageType.MsgAppResp, term: 4, index: 3));
        Assert.Equal(3UL, r.Log.Committed);
    }

    [Fact]
    public void S5_4_3_LeaderCompleteness_ANodeMissingACommittedEntryCannotWin()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Cut(1, 3);
        net.Propose(1, "committed by 1 and 2");
        Assert.Equal(2UL, net[1].Log.Committed);
        net.Recover();
        net.Isolate(1);

        // 3 lacks the committed entry: 2 rejects it.
        net.Campaign(3);
        Assert.NotEqual(RaftState.Leader, net[3].State);

        net.Campaign(2);
        Assert.Equal(RaftState.Leader, net[2].State);
        Assert.Equal(2UL, net[2].Log.TermOrZero(2) == 1 ? 2UL : 0UL);
    }

    [Fact]
    public void StateMachineSafety_CommittedEntriesAreNeverOverwritten()
    {
        var r = WithLog(1, [1, 2, 3], [1, 1], term: 1);
        r.BecomeFollower(1, 2);
        r.Log.CommitTo(2);

        // An append reaching below our commit index cannot change committed entries: it is answered
        // with the commit index and the log stays as it is.
        r.Step(Msg(2, 1, MessageType.MsgApp, term: 2, index: 1, logTerm: 1, entries: Ent(2, 2)));

        Assert.Equal("1/1 1/2", r.LogTerms());
        var response = Assert.Single(r.Read());
        Assert.Equal(2UL, response.Index);
        Assert.False(response.Reject);
    }
}
