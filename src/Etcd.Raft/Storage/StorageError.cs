namespace Etcd.Raft;

/// <summary>Why a storage request could not be served.</summary>
public enum StorageError
{
    /// <summary>The requested index was discarded by compaction; a snapshot must stand in for it.</summary>
    Compacted,

    /// <summary>The requested index lies beyond the last persisted entry.</summary>
    Unavailable,

    /// <summary>The snapshot given is not newer than the one already held.</summary>
    SnapshotOutOfDate,

    /// <summary>The snapshot is being produced; ask again later.</summary>
    SnapshotTemporarilyUnavailable,
}
