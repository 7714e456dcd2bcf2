using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft.Tests.Components;

public sealed class MemoryStorageTests
{
    /// <summary>A storage whose snapshot is at 3 (term 3) followed by entries 4/4 and 5/5.</summary>
    private static MemoryStorage Storage()
    {
        var s = new MemoryStorage();
        s.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 3, Term = 3, ConfState = new ConfState() } });
        s.Append([Ent(4, 4), Ent(5, 5)]);
        return s;
    }

    private static Entry Ent(ulong index, ulong term) => new() { Index = index, Term = term };

    [Fact]
    public void TermIsKnownFromTheSnapshotIndexToTheLastIndex()
    {
        var s = Storage();
        Assert.Equal(3UL, s.Term(3));
        Assert.Equal(5UL, s.Term(5));
        Assert.Equal(StorageError.Compacted, Assert.Throws<RaftStorageException>(() => s.Term(2)).Error);
        Assert.Equal(StorageError.Unavailable, Assert.Throws<RaftStorageException>(() => s.Term(6)).Error);
    }

    [Fact]
    public void EntriesAreServedWithinTheSizeBudgetButNeverFewerThanOne()
    {
        var s = Storage();
        Assert.Equal([4UL, 5UL], s.Entries(4, 6, ulong.MaxValue).Select(e => e.Index));
        Assert.Equal([4UL], s.Entries(4, 6, 0).Select(e => e.Index));
        Assert.Equal(StorageError.Compacted, Assert.Throws<RaftStorageException>(() => s.Entries(3, 5, ulong.MaxValue)).Error);
    }

    [Fact]
    public void FirstAndLastIndexFollowTheSnapshotAndEntries()
    {
        var s = Storage();
        Assert.Equal(4UL, s.FirstIndex());
        Assert.Equal(5UL, s.LastIndex());
    }

    [Fact]
    public void CompactDiscardsUpToTheIndexAndRemembersItsTerm()
    {
        var s = Storage();
        s.Compact(4);
        Assert.Equal(5UL, s.FirstIndex());
        Assert.Equal(4UL, s.Term(4));
        Assert.Equal(StorageError.Compacted, Assert.Throws<RaftStorageException>(() => s.Compact(4)).Error);
    }

    [Fact]
    public void AppendReplacesAConflictingSuffixAndIgnoresWhatTheSnapshotCovers()
    {
        var s = Storage();
        s.Append([Ent(3, 3), Ent(4, 6), Ent(5, 6), Ent(6, 6)]);
        Assert.Equal([6UL, 6UL, 6UL], s.Entries(4, 7, ulong.MaxValue).Select(e => e.Term));
        Assert.Throws<InvalidOperationException>(() => s.Append([Ent(9, 6)]));
    }

    [Fact]
    public void SlicesHandedOutStayIntactWhenTheLogIsLaterOverwritten()
    {
        var s = Storage();
        var before = s.Entries(4, 6, ulong.MaxValue);
        s.Append([Ent(5, 7)]);
        s.Compact(5);
        Assert.Equal([4UL, 5UL], before.Select(e => e.Term));
    }

    [Fact]
    public void CreateSnapshotRecordsIndexTermMembershipAndData()
    {
        var s = Storage();
        var cs = new ConfState { Voters = { 1, 2 } };
        var snap = s.CreateSnapshot(5, cs, ByteString.CopyFromUtf8("state"));
        Assert.Equal(5UL, snap.Metadata.Index);
        Assert.Equal(5UL, snap.Metadata.Term);
        Assert.Equal([1UL, 2UL], snap.Metadata.ConfState.Voters);
        Assert.Equal(StorageError.SnapshotOutOfDate, Assert.Throws<RaftStorageException>(() => s.CreateSnapshot(4, null, ByteString.Empty)).Error);
        Assert.Equal(StorageError.SnapshotOutOfDate, Assert.Throws<RaftStorageException>(() => s.ApplySnapshot(snap)).Error);
    }

    [Fact]
    public void ApplyingASnapshotReplacesTheLog()
    {
        var s = Storage();
        s.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 10, Term = 7, ConfState = new ConfState() } });
        Assert.Equal(11UL, s.FirstIndex());
        Assert.Equal(10UL, s.LastIndex());
        Assert.Equal(7UL, s.Term(10));
    }
}
