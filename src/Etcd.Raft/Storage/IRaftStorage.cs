using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>
/// Read access to the durable part of the Raft log: what the application persisted from earlier
/// Readies. The library only reads through this interface; the application writes (for
/// <see cref="MemoryStorage"/>: Append, SetHardState, ApplySnapshot) as it handles each Ready.
/// Index 0 never holds an entry; the log "starts" just after the latest snapshot.
/// </summary>
public interface IRaftStorage
{
    /// <summary>The persisted hard state and the membership as of the latest snapshot.</summary>
    (HardState HardState, ConfState ConfState) InitialState();

    /// <summary>
    /// Entries in [lo, hi), cut to about <paramref name="maxSize"/> bytes but never to fewer than one.
    /// Throws <see cref="RaftStorageException"/> with <see cref="StorageError.Compacted"/> when lo is
    /// below <see cref="FirstIndex"/>. The returned entries must not be modified.
    /// </summary>
    IReadOnlyList<Entry> Entries(ulong lo, ulong hi, ulong maxSize);

    /// <summary>
    /// Term of the entry at <paramref name="index"/>, for any index in [FirstIndex()-1, LastIndex()]
    /// (the term of FirstIndex()-1 is kept for log matching). Throws <see cref="RaftStorageException"/>
    /// with <see cref="StorageError.Compacted"/> or <see cref="StorageError.Unavailable"/> outside it.
    /// </summary>
    ulong Term(ulong index);

    /// <summary>Index of the first entry that may still be read (the one after the snapshot).</summary>
    ulong FirstIndex();

    /// <summary>Index of the last persisted entry (the snapshot index when the log is empty).</summary>
    ulong LastIndex();

    /// <summary>
    /// The latest snapshot. May throw <see cref="RaftStorageException"/> with
    /// <see cref="StorageError.SnapshotTemporarilyUnavailable"/>; the leader then retries later.
    /// </summary>
    Snapshot Snapshot();
}
