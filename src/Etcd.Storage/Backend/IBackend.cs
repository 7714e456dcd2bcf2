namespace Etcd.Storage.Backend;

/// <summary>
/// The ordered key-value engine under the replicated state machine (etcd's "backend").
/// Keys live in named buckets, each its own ordered keyspace. Writes go in atomic batches:
/// the state machine puts an entry's effects and the applied index in the same batch, so a
/// crash leaves either both or neither. Commits need not be fsynced: the Raft WAL is the
/// durability, and restart replays whatever the backend lacks.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>Starts an atomic batch of writes; nothing is visible until <see cref="Commit"/>.</summary>
    IBackendBatch CreateBatch();

    /// <summary>
    /// Applies the batch atomically and empties it, so it can be filled again or disposed.
    /// With <paramref name="sync"/> this commit and every earlier one are durable on return.
    /// Without it a crash may lose this commit and later ones, but what survives is always a
    /// prefix of the commits in order, each whole.
    /// </summary>
    void Commit(IBackendBatch batch, bool sync = false);

    /// <summary>A consistent read view as of now; later commits do not show through it.</summary>
    IBackendSnapshot Snapshot();

    /// <summary>Physical size of the database on disk, in bytes (etcd's db size).</summary>
    long SizeBytes { get; }

    /// <summary>Bytes holding live data (etcd's db size in use); at most <see cref="SizeBytes"/>.</summary>
    long SizeInUseBytes { get; }

    /// <summary>Rewrites the database to drop space held by deleted data (etcd's defrag).</summary>
    void Defragment();

    /// <summary>Writes a self-contained copy of the current contents to <paramref name="destination"/>.</summary>
    void WriteSnapshotTo(Stream destination);
}

/// <summary>Reads from one point-in-time view of the backend.</summary>
public interface IBackendReader
{
    /// <summary>The value under <paramref name="key"/> in <paramref name="bucket"/>, or null.</summary>
    byte[]? Get(Bucket bucket, ReadOnlySpan<byte> key);

    /// <summary>
    /// Visits the pairs of <paramref name="bucket"/> with from &lt;= key &lt; to in key order
    /// (an empty <paramref name="to"/> means to the end of the bucket) until
    /// <paramref name="visit"/> returns false. The spans are valid only during the call.
    /// </summary>
    void Scan(Bucket bucket, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ScanVisitor visit);
}

/// <summary>Called once per pair by <see cref="IBackendReader.Scan"/>; return false to stop.</summary>
public delegate bool ScanVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>A point-in-time read view; dispose to release it.</summary>
public interface IBackendSnapshot : IBackendReader, IDisposable;

/// <summary>Writes collected for one atomic commit.</summary>
public interface IBackendBatch : IDisposable
{
    void Put(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
    void Delete(Bucket bucket, ReadOnlySpan<byte> key);

    /// <summary>Number of writes collected so far.</summary>
    int Count { get; }
}
