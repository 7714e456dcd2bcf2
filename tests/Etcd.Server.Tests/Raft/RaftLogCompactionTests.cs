using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Raft;
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
        var compaction = new RaftLogCompaction(storage, log, applier, ZapLogger.Discard, snapshotCount: 5, catchUpEntries: 50);

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
        var compaction = new RaftLogCompaction(storage, new RecordingLog(), new AppliedAt(30), ZapLogger.Discard, snapshotCount: 10, catchUpEntries: 5);

        Assert.True(compaction.MaybeSnapshot());
        Assert.False(compaction.MaybeSnapshot());

        Assert.Equal(26UL, storage.FirstIndex());
    }

    private sealed class AppliedAt(ulong index) : IEntryApplier
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
