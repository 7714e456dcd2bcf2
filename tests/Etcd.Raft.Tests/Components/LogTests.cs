using Etcd.Raft.Log;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tests.Components;

public sealed class LogTests
{
    private static Entry Ent(ulong index, ulong term) => new() { Index = index, Term = term };

    [Fact]
    public void UnstableEntriesMoveToStorageOnStableTo()
    {
        var unstable = new UnstableLog(5);
        unstable.TruncateAndAppend([Ent(5, 1), Ent(6, 1), Ent(7, 2)]);
        unstable.StableTo(6, 1);
        Assert.Equal(7UL, unstable.Offset);
        Assert.Equal(1, unstable.Count);

        // A persisted entry that was since replaced (other term) does not count.
        unstable.StableTo(7, 1);
        Assert.Equal(1, unstable.Count);
    }

    [Fact]
    public void UnstableTruncationKeepsEarlierViewsIntact()
    {
        var unstable = new UnstableLog(5);
        unstable.TruncateAndAppend([Ent(5, 1), Ent(6, 1), Ent(7, 1)]);
        var view = unstable.Entries;
        unstable.TruncateAndAppend([Ent(6, 2)]);

        Assert.Equal([1UL, 1UL, 1UL], view.Select(e => e.Term));
        Assert.Equal([1UL, 2UL], unstable.Entries.Select(e => e.Term));
    }

    [Fact]
    public void RaftLogReadsAcrossStorageAndTheUnstableTail()
    {
        var storage = new MemoryStorage();
        storage.Append([Ent(1, 1), Ent(2, 1)]);
        var log = new RaftLog(storage, null, ulong.MaxValue);
        log.AppendRange([Ent(3, 2), Ent(4, 2)], 0);

        Assert.True(log.TrySlice(2, 5, ulong.MaxValue, out var all));
        Assert.Equal([2UL, 3UL, 4UL], all.Select(e => e.Index));
        Assert.Equal(4UL, log.LastIndex);
        Assert.Equal(2UL, log.LastTerm);
        Assert.True(log.MatchTerm(2, 1));
        Assert.False(log.MatchTerm(3, 1));
    }

    [Fact]
    public void FindConflictReturnsTheFirstNewOrDifferingIndex()
    {
        var log = new RaftLog(new MemoryStorage(), null, ulong.MaxValue);
        log.AppendRange([Ent(1, 1), Ent(2, 2), Ent(3, 3)], 0);

        Assert.Equal(0UL, log.FindConflict([Ent(1, 1), Ent(2, 2)]));
        Assert.Equal(4UL, log.FindConflict([Ent(2, 2), Ent(3, 3), Ent(4, 4)]));
        Assert.Equal(2UL, log.FindConflict([Ent(1, 1), Ent(2, 4)]));
    }

    [Fact]
    public void CommittedEntriesAreHandedOutOnceWithinTheSizeBudget()
    {
        var log = new RaftLog(new MemoryStorage(), null, 0);
        log.AppendRange([Ent(1, 1), Ent(2, 1)], 0);
        log.CommitTo(2);

        var first = log.NextCommittedEntries();
        Assert.Single(first); // budget 0: one entry at a time
        log.AppliedTo(1);
        Assert.Equal(2UL, Assert.Single(log.NextCommittedEntries()).Index);
        log.AppliedTo(2);
        Assert.False(log.HasNextCommittedEntries);
    }

    [Fact]
    public void TheCommitIndexNeverMovesPastTheLog()
    {
        var log = new RaftLog(new MemoryStorage(), null, ulong.MaxValue);
        log.AppendRange([Ent(1, 1)], 0);
        Assert.Throws<InvalidOperationException>(() => log.CommitTo(2));
        Assert.False(log.MaybeCommit(1, term: 2)); // only entries of the given term commit this way
        Assert.True(log.MaybeCommit(1, term: 1));
    }
}
