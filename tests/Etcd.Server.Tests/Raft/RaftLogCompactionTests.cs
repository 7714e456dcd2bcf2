using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Replication;
using Google.Protobuf;

namespace Etcd.Server.Tests.Raft;

public sealed class RaftLogCompactionTests
{
    // Found by the whole-cluster simulator: with catch-up entries above --snapshot-count, the first
    // snapshot after a restart (or an installed snapshot) asked the storage to compact below where
    // its log starts, and the Raft loop died with "requested index is unavailable due to compaction".
    [Fact]
    public void SnapshotSoonAfterRestart_WithCatchUpAboveSnapshotCount_KeepsTheLogAndDoesNotThrow()
    {
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 100, Term = 2, ConfState = new ConfState { Voters = { 1 } } } });
        storage.Append([.. Enumerable.Range(101, 10).Select(i => new Entry { Index = (ulong)i, Term = 2 })]);
        var log = new RecordingLog();
        var applier = new AppliedAt(110);
        var compaction = new RaftLogCompaction(storage, log, applier, ZapLogger.Discard, snapshotCount: 5, catchUpEntries: 50) { ReplayedIndex = 110 };

        Assert.True(compaction.MaybeSnapshot());

        Assert.Equal(110UL, compaction.SnapshotIndex);
        Assert.Equal([110UL], log.Snapshots);
        Assert.Equal(101UL, storage.FirstIndex());
        Assert.True(applier.Flushed);
    }

    [Fact]
    public void Snapshot_KeepsCatchUpEntriesBehindIt()
    {
        var storage = new MemoryStorage();
        storage.Append([.. Enumerable.Range(1, 30).Select(i => new Entry { Index = (ulong)i, Term = 1 })]);
        var compaction = new RaftLogCompaction(storage, new RecordingLog(), new AppliedAt(30), ZapLogger.Discard, snapshotCount: 10, catchUpEntries: 5) { ReplayedIndex = 30 };

        Assert.True(compaction.MaybeSnapshot());
        Assert.False(compaction.MaybeSnapshot());

        Assert.Equal(26UL, storage.FirstIndex());
    }

    // Found by the whole-cluster simulator: right after a restart the backend's applied index is
    // ahead of what Raft has replayed, and so is the configuration the applier knows. A snapshot
    // taken at the backend's index recorded the configuration of the first few replayed entries
    // (one voter of three), and the member later restarted from it believing it was alone.
    [Fact]
    public void WhileReplaying_TheSnapshotIsTakenAtTheReplayedIndex_WhoseConfigurationIsKnown()
    {
        var storage = new MemoryStorage();
        storage.Append([.. Enumerable.Range(1, 40).Select(i => new Entry { Index = (ulong)i, Term = 1 })]);
        var log = new RecordingLog();
        var compaction = new RaftLogCompaction(storage, log, new AppliedAt(36), ZapLogger.Discard, snapshotCount: 5, catchUpEntries: 0) { ReplayedIndex = 3 };

        Assert.False(compaction.MaybeSnapshot());
        compaction.ReplayedIndex = 9;
        Assert.True(compaction.MaybeSnapshot());

        Assert.Equal([9UL], log.Snapshots);
    }

    [Fact]
    public void WhileReplaying_NoSnapshotIsDescribedForAFollower()
    {
        var storage = new MemoryStorage();
        storage.Append([.. Enumerable.Range(1, 40).Select(i => new Entry { Index = (ulong)i, Term = 1 })]);
        var message = new Message { Type = MessageType.MsgSnap, To = 2 };

        Assert.False(OutgoingSnapshots.Describe(message, new AppliedAt(36), storage, replayedIndex: 3));
        Assert.True(OutgoingSnapshots.Describe(message, new AppliedAt(36), storage, replayedIndex: 36));
        Assert.Equal(36UL, message.Snapshot.Metadata.Index);
    }

    private sealed class AppliedAt(ulong index) : IStateMachine
    {
        public ulong AppliedIndex => index;

        public ConfState ConfState { get; } = new() { Voters = { 1 } };

        public bool Flushed { get; private set; }

        public void Apply(IReadOnlyList<Entry> entries, RawNode node) => throw new NotSupportedException();

        public void Restore(Snapshot snapshot) => throw new NotSupportedException();

        public ByteString SnapshotData() => ByteString.Empty;

        public void Flush() => Flushed = true;
    }

    private sealed class RecordingLog : IRaftDurableLog
    {
        public List<ulong> Snapshots { get; } = [];

        public void Save(HardState? hardState, IReadOnlyList<Entry> entries, bool sync)
        {
        }

        public void SaveSnapshot(Snapshot snapshot) => Snapshots.Add(snapshot.Metadata.Index);

        public void ReleaseTo(ulong index)
        {
        }

        public void Dispose()
        {
        }
    }
}
