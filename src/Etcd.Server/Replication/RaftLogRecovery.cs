using Etcd.Raft;
using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>Rebuilds Raft's in-memory log from what a restarting member's WAL gave back.</summary>
public static class RaftLogRecovery
{
    /// <summary>
    /// Loads the snapshot, hard state and entries into <paramref name="storage"/> and returns the
    /// index the state machine holds from the snapshot (Raft's starting applied index).
    /// <para>
    /// A received snapshot is saved before the hard state that commits it (and the backend is
    /// installed in between), so a member that stops there comes back with a hard state whose
    /// commit index is below the snapshot: Raft refuses to start on that ("state.commit is out
    /// of range"). A snapshot only ever holds committed entries, so its index is committed and the
    /// commit index is raised to it. etcd avoids the same state by starting from the newest
    /// snapshot the hard state covers.
    /// </para>
    /// </summary>
    public static ulong Load(MemoryStorage storage, RecoveredLog recovered)
    {
        var (snapshot, hardState, entries) = recovered;
        ulong snapshotIndex = 0;
        if (snapshot is not null)
        {
            storage.ApplySnapshot(snapshot);
            snapshotIndex = snapshot.Metadata.Index;
        }
        if (hardState is not null)
        {
            if (hardState.Commit < snapshotIndex) hardState = new HardState(hardState) { Commit = snapshotIndex };
            storage.SetHardState(hardState);
        }
        storage.Append(entries);
        return snapshotIndex;
    }
}
