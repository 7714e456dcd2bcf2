namespace Etcd.Storage.Backend.Memory;

/// <summary>
/// An in-memory <see cref="IBackend"/> for tests and the simulator, with a model of what survives
/// a crash.
/// <para>
/// Crash model (that of RocksDB with its log written on every commit but synced only on request):
/// a commit with sync=true makes itself and every earlier commit durable. Later commits are
/// pending. <see cref="Crash"/> keeps the durable state plus a prefix of the pending commits, chosen
/// by the caller to model how much the OS had written back: commits survive in order and whole,
/// never one without those before it, never half of one.
/// </para>
/// <para>
/// Size model (that of etcd's bbolt file): <see cref="SizeBytes"/> is the high-water mark of live
/// bytes and only <see cref="Defragment"/> brings it down to <see cref="SizeInUseBytes"/>.
/// </para>
/// </summary>
public sealed class MemoryBackend : IBackend
{
    /// <summary>
    /// Bound on remembered pending commits. Past it the oldest counts as written back by the OS;
    /// without a bound a run that never syncs would keep every intermediate state alive.
    /// </summary>
    public const int MaxPendingCommits = 1024;

    private readonly Lock _gate = new();
    private readonly Queue<MemoryState> _pending = new();
    private volatile MemoryState _current = MemoryState.Empty;
    private MemoryState _durable = MemoryState.Empty;
    private long _highWaterBytes;
    private bool _disposed;

    /// <summary>Commits since the last synced one that a crash may lose.</summary>
    public int PendingCommitCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public long SizeBytes
    {
        get
        {
            lock (_gate)
            {
                return _highWaterBytes;
            }
        }
    }

    public long SizeInUseBytes => _current.LiveBytes;

    public IBackendBatch CreateBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new MemoryBatch();
    }

    public void Commit(IBackendBatch batch, bool sync = false)
    {
        if (batch is not MemoryBatch writes)
        {
            throw new ArgumentException("the batch was not created by a MemoryBackend", nameof(batch));
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var next = Apply(_current, writes);
            _current = next;
            _highWaterBytes = Math.Max(_highWaterBytes, next.LiveBytes);
            if (sync)
            {
                _pending.Clear();
                _durable = next;
            }
            else
            {
                _pending.Enqueue(next);
                if (_pending.Count > MaxPendingCommits)
                {
                    _durable = _pending.Dequeue();
                }
            }
        }
        writes.Writes.Clear();
    }

    public IBackendSnapshot Snapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new MemoryReader(_current);
    }

    public void Defragment()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _highWaterBytes = _current.LiveBytes;
        }
    }

    public void WriteSnapshotTo(Stream destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        MemoryState state = _current;
        using var writer = new BackendArchiveWriter(destination);
        foreach (MemoryEntry entry in state.Entries)
        {
            writer.Add(entry.Bucket, entry.Key, entry.Value);
        }
        writer.Finish();
    }

    /// <summary>
    /// Simulates a crash and restart: afterwards the backend holds the durable state plus the first
    /// <paramref name="keepPending"/> pending commits (0..<see cref="PendingCommitCount"/>), and all
    /// of that is durable. Snapshots taken before keep reading what they saw.
    /// </summary>
    public void Crash(int keepPending = 0)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(keepPending);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(keepPending, _pending.Count);
            MemoryState survivor = _durable;
            for (int i = 0; i < keepPending; i++)
            {
                survivor = _pending.Dequeue();
            }
            _pending.Clear();
            _durable = survivor;
            _current = survivor;
        }
    }

    /// <summary>
    /// Builds a backend from a stream <see cref="WriteSnapshotTo"/> wrote; its contents are durable.
    /// Throws <see cref="InvalidDataException"/> for a truncated or corrupt stream.
    /// </summary>
    public static MemoryBackend RestoreFrom(Stream source)
    {
        var backend = new MemoryBackend();
        var batch = new MemoryBatch();
        BackendArchiveReader.Read(source, (bucket, key, value) => batch.Put(bucket, key, value));
        backend.Commit(batch, sync: true);
        return backend;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private static MemoryState Apply(MemoryState state, MemoryBatch batch)
    {
        var entries = state.Entries;
        long liveBytes = state.LiveBytes;
        foreach (var write in batch.Writes)
        {
            var probe = new MemoryEntry(write.Bucket, write.Key, []);
            if (entries.TryGetValue(probe, out MemoryEntry? existing))
            {
                entries = entries.Remove(existing);
                liveBytes -= existing.Size;
            }
            if (write.Value is not null)
            {
                var entry = new MemoryEntry(write.Bucket, write.Key, write.Value);
                entries = entries.Add(entry);
                liveBytes += entry.Size;
            }
        }
        return new MemoryState(entries, liveBytes);
    }
}
