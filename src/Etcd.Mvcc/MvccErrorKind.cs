namespace Etcd.Mvcc;

/// <summary>Why a store request failed; the server maps each kind to etcd's gRPC status code.</summary>
public enum MvccErrorKind
{
    /// <summary>The requested revision is below the compaction revision (etcd: OutOfRange).</summary>
    Compacted,
    /// <summary>The requested revision is above the current revision (etcd: OutOfRange).</summary>
    FutureRevision,
    /// <summary>A put names a lease that does not exist (etcd: NotFound).</summary>
    LeaseNotFound,
    /// <summary>ignore_value or ignore_lease on a key that does not exist (etcd: InvalidArgument).</summary>
    KeyNotFound,
}
