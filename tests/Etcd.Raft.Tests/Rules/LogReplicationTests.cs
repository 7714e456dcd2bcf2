using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft paper §5.3 (log replication).</summary>
public sealed class LogReplicationTests
{
    private static Raft NewLeader(ulong[] voters)
    {
        var r = New(1, voters);
        r.BecomeCandidate();
        r.BecomeLeader();
        return r;
    }

    private static void CommitNoop(Raft leader)
    {
        // Acknowledge the leader's empty entry from everyone so it commits.
        foreach (ulong id in leader.Tracker.SortedIds)
        {
            if (id != leader.Id)
            {
                leader.Step(Msg(id, 1, MessageType.MsgAppResp, term: leader.Term, index: leader.Log.LastIndex));
            }
        }

        leader.Read();
    }

    [Fact]
    public void S5_3_TheLeaderAppendsAProposalAndSendsItToEveryFollower()
    {
        var r = NewLeader([1, 2, 3]);
        CommitNoop(r);

        r.Step(Prop(1, "some data"));

        Assert.Equal(2UL, r.Log.LastIndex);
        Assert.Equal(1UL, r.Log.Committed);
        var sent = r.Read();
        Assert.Equal([2UL, 3UL], sent.Select(m => m.To));
        Assert.All(sent, m =>
        {
            Assert.Equal(MessageType.MsgApp, m.Type);
            Assert.Equal(1UL, m.Index);
            Assert.Equal(1UL, m.LogTerm);
            Assert.Equal(1UL, m.Commit);
            Assert.Equal("some data", Assert.Single(m.Entries).Data.ToStringUtf8());
        });
    }

    [Fact]
    public void S5_3_AnEntryCommitsOnceReplicatedOnAMajority()
    {
        var r = NewLeader([1, 2, 3, 4, 5]);
        CommitNoop(r);
        r.Step(Prop(1));
        r.Read();

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(1UL, r.Log.Committed);

        r.Step(Msg(3, 1, MessageType.MsgAppResp, term: 1, index: 2));
        Assert.Equal(2UL, r.Log.Committed);

        // Followers learn the new commit index right away.
        Assert.All(r.Read(), m => Assert.Equal(2UL, m.Commit));
    }

    [Fact]
    public void S5_3_CommittingAnEntryCommitsAllPrecedingEntries()
    {
        var r = WithLog(1, [1, 2, 3], [2, 2], term: 2);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();

        // Term-3 leader appends its empty entry at 3; acks for it commit 1..3.
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 3, index: 3));

        Assert.Equal(3UL, r.Log.Committed);
    }

    [Fact]
    public void S5_3_AFollowerCommitsWhatTheLeaderSaysIsCommitted()
    {
        var r = New(1, [1, 2, 3]);
        r.BecomeFollower(1, 2);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 1, index: 0, logTerm: 0, commit: 1, entries: [Ent(1, 1, "a"), Ent(1, 2, "b")]));

        Assert.Equal(1UL, r.Log.Committed);
        Assert.Equal("1/1 1/2", r.LogTerms());
    }

    [Fact]
    public void S5_3_AFollowerNeverCommitsBeyondWhatItReceived()
    {
        var r = New(1, [1, 2, 3]);
        r.BecomeFollower(1, 2);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 1, commit: 5, entries: Ent(1, 1)));

        Assert.Equal(1UL, r.Log.Committed);
    }

    [Theory]
    [InlineData(0UL, 0UL, false)] // the empty prefix always matches
    [InlineData(1UL, 1UL, false)]
    [InlineData(2UL, 2UL, false)]
    [InlineData(1UL, 2UL, true)] // term mismatch at index 1
    [InlineData(3UL, 3UL, true)] // index beyond our log
    public void S5_3_ConsistencyCheck_AFollowerRejectsAppendsWhosePrecedingEntryItLacks(ulong logTerm, ulong index, bool rejected)
    {
        var r = WithLog(1, [1, 2, 3], [1, 2], term: 2);
        r.BecomeFollower(2, 2);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 2, logTerm: logTerm, index: index));

        var response = Assert.Single(r.Read());
        Assert.Equal(rejected, response.Reject);
        if (rejected)
        {
            Assert.Equal(2UL, response.RejectHint);
        }
    }

    [Theory]
    [InlineData(2UL, 2UL, new ulong[] { 3 }, "1/1 2/2 3/3")] // append after a match
    [InlineData(1UL, 1UL, new ulong[] { 3, 4 }, "1/1 3/2 4/3")] // conflict at 2 replaces the suffix
    [InlineData(0UL, 0UL, new ulong[] { 1 }, "1/1 2/2")] // already present: nothing changes
    [InlineData(0UL, 0UL, new ulong[] { 3 }, "3/1")] // conflict at 1 replaces everything
    public void S5_3_AFollowerDeletesConflictingEntriesAndAppendsNewOnes(ulong index, ulong logTerm, ulong[] terms, string expected)
    {
        var r = WithLog(1, [1, 2, 3], [1, 2], term: 2);
        r.BecomeFollower(2, 2);
        var entries = terms.Select((t, i) => Ent(t, index + 1 + (ulong)i)).ToArray();

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 2, logTerm: logTerm, index: index, entries: entries));

        Assert.Equal(expected, r.LogTerms());
    }

    [Fact]
    public void S5_3_TheLeaderBringsADivergentFollowerInLineWithItsLog()
    {
        // Leader log: terms 1 1 1 4 4 5 5 6 6 6 (figure 7 of the paper); followers diverge in
        // different ways. After the leader of term 8 replicates, all logs equal the leader's.
        ulong[] leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
        ulong[][] followerLogs =
        [
            [1, 1, 1, 4, 4, 5, 5, 6, 6],
            [1, 1, 1, 4],
            [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
            [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
            [1, 1, 1, 4, 4, 4, 4],
            [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
        ];
        foreach (var followerLog in followerLogs)
        {
            var leader = WithLog(1, [1, 2, 3], leaderLog, term: 8);
            var follower = WithLog(2, [1, 2, 3], followerLog, term: 7);
            var net = new Network(leader, follower, null);
            net.Campaign(1);

            // The third node voted, so 1 leads; now it replicates its empty entry everywhere.
            net.Propose(1);

            Assert.Equal(leader.LogTerms(), follower.LogTerms());
        }
    }

    [Fact]
    public void LogMatching_EntriesWithTheSameIndexAndTermHoldTheSamePrefix()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        for (int i = 0; i < 5; i++)
        {
            net.Propose(1, $"e{i}");
        }

        net.Cut(1, 3);
        net.Propose(1, "only on 2");
        net.Recover();
        net.Propose(1, "again everywhere");

        Assert.Equal(net[1].LogTerms(), net[2].LogTerms());
        Assert.Equal(net[1].LogTerms(), net[3].LogTerms());
        Assert.Equal(net[1].Log.Committed, net[3].Log.Committed);
    }
}
