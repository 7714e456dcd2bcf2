using Etcd.Raft;
using Etcd.Server.Logging;

namespace Etcd.Server.Replication;

/// <summary>
/// Every --snapshot-count applied entries: snapshot the log, keep --experimental-snapshot-catchup-entries
/// entries behind it for slow followers, and release the WAL below the snapshot. Runs on the Raft
/// loop after each Ready; apart from RaftNode so the whole-cluster simulator runs the same code.
/// </summary>
public sealed class RaftLogCompaction(MemoryStorage storage, IRaftDurableLog log, IStateMachine state, ZapLogger logger,
    ulong snapshotCount, ulong catchUpEntries)
{
    /// <summary>Index of the newest snapshot: the storage's at start, then each one taken or installed.</summary>
    public ulong SnapshotIndex { get; set; } = storage.Snapshot().Metadata?.Index ?? 0;

    /// <summary>
    /// The last entry handed to the state machine (applied, or skipped because the backend had it), or
    /// the snapshot the log starts from: the state machine's configuration is the one as of this index.
    /// After a restart it trails the backend's applied index until Raft has replayed up to it.
    /// </summary>
    public ulong ReplayedIndex { get; set; } = storage.Snapshot().Metadata?.Index ?? 0;

    /// <summary>Takes a snapshot if enough was applied since the last one; true when it did.</summary>
    public bool MaybeSnapshot()
    {
        // Not the backend's applied index: the snapshot records the configuration with its index,
        // and a restarted member knows the configuration only as far as Raft has replayed.
        var applied = ReplayedIndex;
        if (applied - SnapshotIndex <= snapshotCount) return false;
        // The backend is flushed first: after the release a restart can only replay from the snapshot onwards.
        state.Flush();
        var snapshot = storage.CreateSnapshot(applied, state.ConfState, state.SnapshotData());
        log.SaveSnapshot(snapshot);
        logger.Info("saved snapshot", LogField.Of("snapshot-index", applied));
        SnapshotIndex = applied;
        // After a restart or an installed snapshot the log starts at that snapshot, which may be
        // above applied - catch-up when catch-up exceeds --snapshot-count: then there is nothing
        // to compact yet (etcd ignores ErrCompacted here for the same reason).
        var firstKept = storage.FirstIndex() - 1;
        if (applied > catchUpEntries && applied - catchUpEntries > firstKept)
        {
            var compactIndex = applied - catchUpEntries;
            storage.Compact(compactIndex);
            logger.Info("compacted Raft logs", LogField.Of("compact-index", compactIndex));
        }
        log.ReleaseTo(applied);
        return true;
    }
}
