namespace Etcd.Storage.Wal;

/// <summary>Tunables of a <see cref="Wal"/>; the defaults are etcd's.</summary>
public sealed record WalOptions
{
    /// <summary>A segment is preallocated to this size and a new one started once it is reached (etcd: 64 MB).</summary>
    public long SegmentSizeBytes { get; init; } = 64 * 1000 * 1000;

    /// <summary>
    /// Appended records are buffered in memory until <see cref="Wal.Sync"/>, or until this many
    /// bytes are waiting, which bounds the buffer for very large batches.
    /// </summary>
    public int WriteBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Skips fdatasync of segment data (etcd's --unsafe-no-fsync): a power failure can then lose
    /// acknowledged writes. For tests and throwaway clusters only.
    /// </summary>
    public bool UnsafeNoFsync { get; init; }

    /// <summary>Called with the duration of every fdatasync (etcd's wal_fsync_duration_seconds).</summary>
    public Action<TimeSpan>? SyncObserved { get; init; }
}
