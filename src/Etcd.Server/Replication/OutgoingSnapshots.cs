using Etcd.Raft;
using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>
/// Fills in a MsgSnap before it is sent: the transport ships the backend as it is when Send is
/// called, which is the state as of its applied index, so the snapshot's metadata must
/// name that index and the configuration applied with it (Ready's rule for MsgSnap).
/// </summary>
public static class OutgoingSnapshots
{
    /// <summary>
    /// Describes <paramref name="message"/>'s snapshot; false when that cannot be done truthfully
    /// yet: a restarted member replaying entries its backend already holds knows the configuration
    /// only as of <paramref name="replayedIndex"/>, below its backend's applied index. The caller
    /// then reports the snapshot failed, and Raft sends another later.
    /// </summary>
    public static bool Describe(Message message, IStateMachine state, MemoryStorage storage, ulong replayedIndex)
    {
        var applied = state.AppliedIndex;
        if (replayedIndex < applied) return false;
        message.Snapshot = new Snapshot
        {
            Metadata = new SnapshotMetadata { Index = applied, Term = storage.Term(applied), ConfState = state.ConfState.Clone() },
            Data = state.SnapshotData(),
        };
        return true;
    }
}
