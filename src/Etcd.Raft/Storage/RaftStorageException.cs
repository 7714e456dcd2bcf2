namespace Etcd.Raft;

/// <summary>
/// A storage request outside what the storage holds. These are rare (compaction races, lagging
/// followers), so they are exceptions rather than results.
/// </summary>
public sealed class RaftStorageException : Exception
{
    public RaftStorageException(StorageError error)
        : base(Describe(error))
    {
        Error = error;
    }

    public RaftStorageException(StorageError error, string message)
        : base(message)
    {
        Error = error;
    }

    public StorageError Error { get; }

    private static string Describe(StorageError error) => error switch
    {
        StorageError.Compacted => "requested index is unavailable due to compaction",
        StorageError.Unavailable => "requested entry at index is unavailable",
        StorageError.SnapshotOutOfDate => "requested index is older than the existing snapshot",
        StorageError.SnapshotTemporarilyUnavailable => "snapshot is temporarily unavailable",
        _ => error.ToString(),
    };
}
