using Etcd.Api.Etcdserverpb;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc;

/// <summary>
/// etcd's multi-version key-value store: the replicated state machine's key space. Every write
/// transaction creates one revision; history stays readable until compacted. Records live in
/// the backend (<see cref="Bucket.Key"/>, keyed by revision); an in-memory index maps each key
/// to its revisions and holds each live key's newest record, so reads at or near the newest
/// revision never touch the backend.
/// </summary>
/// <remarks>
/// Threading: one thread applies (<see cref="BeginApply"/>); any number of threads read
/// concurrently. Readers see exactly the state of the last <see cref="ApplyBatch.Commit"/>.
/// The store does not own the backend: dispose the backend after the store.
/// <para>
/// Records (KeyValue) in responses and events are shared with the index and with other
/// responses, so serving them costs no copy: never mutate them. Headers and responses are
/// fresh per call and may be filled in.
/// </para>
/// </remarks>
public sealed class KvStore : IDisposable
{
    private readonly ReaderWriterLockSlim indexLock = new(LockRecursionPolicy.NoRecursion);
    // Replaced by Restore, on the applying thread; set by Load, which the constructor calls.
    private Compactor compactor = null!;
    private readonly ApplyWorkspace applyWorkspace = new();

    // Guarded by indexLock; written only when a batch commits.
    private long committedRevision;
    private long committedCompactRevision;

    private readonly bool compactInline;
    private ulong consistentIndex;
    private ulong consistentTerm;
    private ApplyBatch? openBatch;
    private bool disposed;

    /// <summary>Default for the largest value the index keeps in memory with its key's newest record.</summary>
    public const int DefaultMaxCachedValueBytes = 1024;

    /// <summary>Opens the store on <paramref name="backend"/>, rebuilding the index from it in one scan.</summary>
    /// <param name="backend">Holds the records; the store does not dispose it.</param>
    /// <param name="leases">Answers whether a lease exists; null means no lease exists.</param>
    /// <param name="maxCachedValueBytes">
    /// Values up to this size are kept in memory with each live key's newest record, so reads of
    /// them never touch the backend; larger ones are read from the backend. Memory per key is
    /// about 300 bytes plus the value when kept.
    /// </param>
    /// <param name="compactInline">
    /// Physical compaction runs on the applying thread, within the commit of the compaction
    /// (the simulator's choice: every backend write at a point it decides), instead of in the
    /// background.
    /// </param>
    public KvStore(IBackend backend, ILeaseLookup? leases = null, int maxCachedValueBytes = DefaultMaxCachedValueBytes, bool compactInline = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCachedValueBytes);
        this.compactInline = compactInline;
        Backend = backend;
        Leases = leases;
        MaxCachedValueBytes = maxCachedValueBytes;
        Resume(Load());
    }

    /// <summary>
    /// Builds the index and the counters from the backend (the caller holds the write lock or is
    /// the constructor); returns the revision of a compaction that was committed but not finished.
    /// </summary>
    private long? Load()
    {
        using IBackendSnapshot snapshot = Backend.Snapshot();
        StoreState state = StoreLoader.Load(snapshot, Index, LeaseKeys, MaxCachedValueBytes);
        Volatile.Write(ref committedRevision, state.Revision);
        Volatile.Write(ref committedCompactRevision, state.CompactRevision);
        Volatile.Write(ref consistentTerm, state.ConsistentTerm);
        Volatile.Write(ref consistentIndex, state.ConsistentIndex);
        compactor = new Compactor(Index, indexLock, Backend, state.FinishedCompactRevision, compactInline);
        return state.CompactRevision > state.FinishedCompactRevision ? state.CompactRevision : null;
    }

    /// <summary>A compaction was committed but the process stopped before it finished removing records: it goes on now.</summary>
    private void Resume(long? unfinishedCompaction)
    {
        if (unfinishedCompaction is long revision)
        {
            compactor.Schedule(revision);
        }
    }

    /// <summary>
    /// Becomes the store that the backend holds after <paramref name="replaceContents"/> has run
    /// (a snapshot from the leader brought a database of its own; etcd's store.Restore). Readers
    /// are held off from before the contents change until the index is rebuilt from them, so a
    /// read sees the old state or the new one, never a mix. The observer hears of it last.
    /// Call on the applying thread, with no batch open.
    /// </summary>
    public void Restore(Action replaceContents)
    {
        ArgumentNullException.ThrowIfNull(replaceContents);
        ThrowIfDisposed();
        if (openBatch is not null)
        {
            throw new InvalidOperationException("an apply batch is open");
        }
        // Its work refers to the old contents; waits for it stop first (it takes the write lock in chunks).
        compactor.Dispose();
        long? unfinished;
        indexLock.EnterWriteLock();
        try
        {
            replaceContents();
            Index.Clear();
            LeaseKeys.Clear();
            unfinished = Load();
        }
        finally
        {
            indexLock.ExitWriteLock();
        }
        Resume(unfinished);
        Observer?.Restored(CurrentRevision);
    }

    /// <summary>Revision of the last committed write transaction; 1 for an empty store, as etcd.</summary>
    public long CurrentRevision => Volatile.Read(ref committedRevision);

    /// <summary>Revision of the last committed compaction; -1 before the first one, as etcd.</summary>
    public long CompactRevision => Volatile.Read(ref committedCompactRevision);

    /// <summary>Raft index of the last applied entry whose batch committed (from Meta on open).</summary>
    public ulong ConsistentIndex => Volatile.Read(ref consistentIndex);

    /// <summary>Raft term of that entry.</summary>
    public ulong ConsistentTerm => Volatile.Read(ref consistentTerm);

    /// <summary>Number of keys the index holds, including deleted keys whose history is not compacted yet.</summary>
    public int IndexedKeyCount
    {
        get
        {
            indexLock.EnterReadLock();
            try
            {
                return Index.Count;
            }
            finally
            {
                indexLock.ExitReadLock();
            }
        }
    }

    /// <summary>Receives each commit's events; null (the default) makes commits build none.</summary>
    public IKvObserver? Observer { get; set; }

    internal IBackend Backend { get; }

    internal int MaxCachedValueBytes { get; }

    internal ILeaseLookup? Leases { get; }

    internal KeyIndex Index { get; } = new();

    internal LeaseKeys LeaseKeys { get; } = new();

    internal ReaderWriterLockSlim IndexLock => indexLock;

    /// <summary>
    /// etcd's Range: every field of the request except serializable, which is the server's.
    /// Safe to call from any thread, concurrently with an apply batch.
    /// </summary>
    public RangeResponse Range(RangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RangeScan scan = default;
        IBackendSnapshot? snapshot = null;
        try
        {
            long current;
            indexLock.EnterReadLock();
            try
            {
                ThrowIfDisposed();
                current = committedRevision;
                long atRevision = RangeQuery.ReadRevision(request.Revision, current, committedCompactRevision);
                scan = RangeScan.Collect(Index, request, atRevision);
                if (scan.NeedsLoad)
                {
                    // Taken under the lock: a compaction that could remove the records this read
                    // needs can only become visible after the lock is released, and its removals
                    // come after that, so they never reach this view.
                    snapshot = Backend.Snapshot();
                }
            }
            finally
            {
                indexLock.ExitReadLock();
            }
            return RangeQuery.Complete(ref scan, request, current, snapshot is null ? null : new BackendRecordLoader(snapshot));
        }
        finally
        {
            snapshot?.Dispose();
            scan.Dispose();
        }
    }

    /// <summary>
    /// Starts applying writes. Only one batch may be open; its effects become visible and durable
    /// together at <see cref="ApplyBatch.Commit"/>, and are undone if it is disposed uncommitted.
    /// </summary>
    public ApplyBatch BeginApply()
    {
        ThrowIfDisposed();
        if (openBatch is not null)
        {
            throw new InvalidOperationException("an apply batch is already open");
        }
        openBatch = new ApplyBatch(this, applyWorkspace, committedRevision, committedCompactRevision);
        return openBatch;
    }

    /// <summary>
    /// Completes once the backend no longer holds the records a compaction at
    /// <paramref name="revision"/> removes (etcd's physical compaction). The compaction must have
    /// been committed.
    /// </summary>
    public Task WhenCompacted(long revision) => compactor.WhenCompacted(revision);

    /// <summary>
    /// etcd's HashKV: a CRC-32C over the records up to <paramref name="revision"/> (0: the newest);
    /// see <see cref="KvHasher"/> for which records count.
    /// </summary>
    public KvHash HashKV(long revision)
    {
        IBackendSnapshot snapshot;
        HashSet<Revision> newest;
        long current;
        long compacted;
        indexLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            current = committedRevision;
            compacted = committedCompactRevision;
            if (revision > 0 && revision <= compacted)
            {
                throw new MvccException(MvccErrorKind.Compacted);
            }
            if (revision > current)
            {
                throw new MvccException(MvccErrorKind.FutureRevision);
            }
            if (revision <= 0)
            {
                revision = current;
            }
            newest = KvHasher.NewestAt(Index, revision);
            snapshot = Backend.Snapshot();
        }
        finally
        {
            indexLock.ExitReadLock();
        }
        using (snapshot)
        {
            uint hash = KvHasher.Hash(snapshot, revision, compacted, newest);
            return new KvHash(hash, current, compacted);
        }
    }

    /// <summary>The live keys attached to <paramref name="leaseId"/>, in key order, including uncommitted changes.</summary>
    public IReadOnlyList<byte[]> KeysWithLease(long leaseId)
    {
        indexLock.EnterReadLock();
        try
        {
            KeyHistory[] histories = LeaseKeys.KeysOf(leaseId);
            var keys = new byte[histories.Length][];
            for (int i = 0; i < histories.Length; i++)
            {
                keys[i] = histories[i].Key;
            }
            return keys;
        }
        finally
        {
            indexLock.ExitReadLock();
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        openBatch?.Dispose();
        compactor.Dispose();
        indexLock.EnterWriteLock();
        disposed = true;
        indexLock.ExitWriteLock();
    }

    /// <summary>Makes a committed batch visible to readers. Called by the batch after the backend commit.</summary>
    internal void Publish(long revision, long compactRevision, ulong? appliedIndex, ulong appliedTerm)
    {
        indexLock.EnterWriteLock();
        try
        {
            Volatile.Write(ref committedRevision, revision);
            Volatile.Write(ref committedCompactRevision, compactRevision);
        }
        finally
        {
            indexLock.ExitWriteLock();
        }
        // After the revision: whoever sees the applied index must find its effects readable.
        if (appliedIndex is ulong index)
        {
            Volatile.Write(ref consistentTerm, appliedTerm);
            Volatile.Write(ref consistentIndex, index);
        }
    }

    internal void ScheduleCompaction(long revision) => compactor.Schedule(revision);

    internal void BatchClosed(ApplyBatch batch)
    {
        if (ReferenceEquals(openBatch, batch))
        {
            openBatch = null;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
