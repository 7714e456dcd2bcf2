using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Mvcc;

/// <summary>
/// Writes applied to the store by the one applying thread, made durable and visible together by
/// <see cref="Commit"/>: the records, the index changes, the applied Raft index and any scheduled
/// compaction go to the backend in one atomic batch, so a crash keeps all of them or none.
/// </summary>
/// <remarks>
/// Each Put, DeleteRange and Txn is one etcd write transaction: all its changes share one main
/// revision, one more than the revision before it, and a transaction that changes nothing takes
/// no revision. A request that fails throws <see cref="MvccException"/> before changing anything.
/// Disposing a batch that was not committed undoes its changes.
/// </remarks>
public sealed partial class ApplyBatch : IDisposable, IRecordLoader
{
    private readonly KvStore store;
    private readonly IBackendBatch backendBatch;
    private readonly long committedRevision;
    private readonly List<Change> changes;
    private readonly List<long> compactions;
    private readonly ApplyWorkspace workspace;

    // The transaction being applied: its changes are written at txnMain with sub revisions
    // 0, 1, 2, ... in order (txnChanges counts them).
    private long txnMain;
    private int txnChanges;

    private ulong? appliedIndex;
    private ulong appliedTerm;
    private IBackendSnapshot? pastRecords;
    private bool closed;

    internal ApplyBatch(KvStore store, ApplyWorkspace workspace, long revision, long compactRevision)
    {
        this.store = store;
        this.workspace = workspace;
        changes = workspace.Changes;
        compactions = workspace.Compactions;
        txnPath = workspace.TxnPath;
        committedRevision = revision;
        Revision = revision;
        CompactRevision = compactRevision;
        backendBatch = store.Backend.CreateBatch();
    }

    /// <summary>The store's revision including this batch's transactions.</summary>
    public long Revision { get; private set; }

    /// <summary>The compaction revision including this batch's compactions.</summary>
    public long CompactRevision { get; private set; }

    private KeyIndex Index => store.Index;

    /// <summary>Records <paramref name="index"/> and <paramref name="term"/> as the last applied Raft entry.</summary>
    public void SetConsistentIndex(ulong index, ulong term)
    {
        ThrowIfClosed();
        appliedIndex = index;
        appliedTerm = term;
    }

    /// <summary>etcd's Put as its own write transaction.</summary>
    public PutResponse Put(PutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfClosed();
        store.IndexLock.EnterWriteLock();
        try
        {
            // A standalone put checks the lease before the key, a put inside a txn the other way
            // round (CheckPut); the order decides which error a request with both faults gets.
            CheckLease(request.Lease);
            CheckIgnoredFieldsHaveKey(request);
            BeginTxn();
            PutResponse response = ApplyPut(request);
            EndTxn();
            return response;
        }
        finally
        {
            EndOperation();
        }
    }

    /// <summary>etcd's DeleteRange as its own write transaction; deleting nothing takes no revision.</summary>
    public DeleteRangeResponse DeleteRange(DeleteRangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfClosed();
        store.IndexLock.EnterWriteLock();
        try
        {
            BeginTxn();
            DeleteRangeResponse response = ApplyDeleteRange(request);
            EndTxn();
            return response;
        }
        finally
        {
            EndOperation();
        }
    }

    /// <summary>
    /// Deletes every key attached to <paramref name="leaseId"/> in one write transaction, as a
    /// lease revocation does; returns how many keys were deleted.
    /// </summary>
    public int DeleteKeysOfLease(long leaseId)
    {
        ThrowIfClosed();
        store.IndexLock.EnterWriteLock();
        try
        {
            BeginTxn();
            KeyHistory[] keys = store.LeaseKeys.KeysOf(leaseId);
            foreach (KeyHistory key in keys)
            {
                Delete(key);
            }
            EndTxn();
            return keys.Length;
        }
        finally
        {
            EndOperation();
        }
    }

    /// <summary>
    /// etcd's Compact: reads below <paramref name="request"/>'s revision fail from now on (for
    /// other threads, from <see cref="Commit"/> on). The records are removed in the background
    /// after commit; <see cref="KvStore.WhenCompacted"/> tells when, for a physical compaction.
    /// </summary>
    public CompactionResponse Compact(CompactionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfClosed();
        if (request.Revision <= CompactRevision)
        {
            throw new MvccException(MvccErrorKind.Compacted);
        }
        if (request.Revision > Revision)
        {
            throw new MvccException(MvccErrorKind.FutureRevision);
        }
        CompactRevision = request.Revision;
        compactions.Add(request.Revision);
        return new CompactionResponse { Header = new ResponseHeader { Revision = Revision } };
    }

    /// <summary>
    /// Writes everything the batch did, with the applied index, in one backend batch; then makes
    /// it visible to readers, reports it to the observer and starts scheduled compactions.
    /// </summary>
    public void Commit()
    {
        ThrowIfClosed();
        if (appliedIndex is ulong index)
        {
            MetaKeys.PutUInt64(backendBatch, MetaKeys.ConsistentIndex, index);
            MetaKeys.PutUInt64(backendBatch, MetaKeys.Term, appliedTerm);
        }
        if (compactions.Count > 0)
        {
            MetaKeys.PutRevision(backendBatch, MetaKeys.ScheduledCompact, CompactRevision);
        }
        store.Backend.Commit(backendBatch);
        store.Publish(Revision, CompactRevision, appliedIndex, appliedTerm);

        // Durable and visible now: from here on the batch closes whatever happens, never undoes.
        IKvObserver? observer = store.Observer;
        Event[]? events = null;
        try
        {
            foreach (long compaction in compactions)
            {
                store.ScheduleCompaction(compaction);
            }
            if (observer is not null && Revision > committedRevision)
            {
                events = BuildEvents();
            }
        }
        finally
        {
            Close();
        }
        if (events is not null)
        {
            observer!.Committed(committedRevision, Revision, events);
        }
    }

    /// <summary>Ends the batch; if it was not committed, its changes are undone.</summary>
    public void Dispose()
    {
        if (closed)
        {
            return;
        }
        store.IndexLock.EnterWriteLock();
        try
        {
            for (int i = changes.Count - 1; i >= 0; i--)
            {
                Undo(changes[i]);
            }
        }
        finally
        {
            store.IndexLock.ExitWriteLock();
        }
        Close();
    }

    private Event[] BuildEvents()
    {
        try
        {
            var events = new Event[changes.Count];
            for (int i = 0; i < events.Length; i++)
            {
                // Previous values the index did not hold are read back; the batch is in the backend now.
                events[i] = changes[i].ToEvent(this);
            }
            return events;
        }
        finally
        {
            pastRecords?.Dispose();
            pastRecords = null;
        }
    }

    KeyValue IRecordLoader.Load(Revision revision)
    {
        if (revision.Main > committedRevision)
        {
            return RecordOfChange(revision);
        }
        pastRecords ??= store.Backend.Snapshot();
        return new BackendRecordLoader(pastRecords).Load(revision);
    }

    private void BeginTxn()
    {
        txnMain = Revision + 1;
        txnChanges = 0;
    }

    private void EndTxn()
    {
        if (txnChanges > 0)
        {
            Revision = txnMain;
        }
    }

    /// <summary>The revision reads inside the transaction see: including its own changes so far.</summary>
    private long TxnReadRevision => txnChanges > 0 ? txnMain : Revision;

    private void EndOperation()
    {
        pastRecords?.Dispose();
        pastRecords = null;
        store.IndexLock.ExitWriteLock();
    }

    private void CheckLease(long leaseId)
    {
        if (leaseId != 0 && store.Leases?.Exists(leaseId) != true)
        {
            throw new MvccException(MvccErrorKind.LeaseNotFound);
        }
    }

    private void CheckIgnoredFieldsHaveKey(PutRequest request)
    {
        if ((request.IgnoreValue || request.IgnoreLease) && Index.Find(request.Key.Span)?.Latest is null)
        {
            throw new MvccException(MvccErrorKind.KeyNotFound);
        }
    }

    private PutResponse ApplyPut(PutRequest request)
    {
        KeyHistory? history = Index.Find(request.Key.Span);
        PreviousRecord previous = PreviousRecord.Of(history);
        // Versions, leases and the key come from the index; the value only when asked for.
        KeyValue? before = previous.Record;
        KeyValue? wholeBefore = request.PrevKv || request.IgnoreValue ? previous.Whole(this) : null;
        Revision revision = new(txnMain, txnChanges);
        ByteString key;
        if (history is null)
        {
            // The index keeps the key's bytes for good: share the request's array when it owns one whole.
            if (OwnedBytes.TryGetWholeArray(request.Key, out byte[]? keyBytes))
            {
                key = request.Key;
            }
            else
            {
                keyBytes = request.Key.ToByteArray();
                key = OwnedBytes.Wrap(keyBytes);
            }
            history = new KeyHistory(keyBytes);
            Index.Add(history);
        }
        else
        {
            key = before?.Key ?? OwnedBytes.Wrap(history.Key);
        }
        var record = new KeyValue
        {
            Key = key,
            // Ignored fields were checked to have a previous record before anything changed.
            Value = request.IgnoreValue ? wholeBefore!.Value : request.Value,
            Lease = request.IgnoreLease ? before!.Lease : request.Lease,
            CreateRevision = before?.CreateRevision ?? revision.Main,
            ModRevision = revision.Main,
            Version = (before?.Version ?? 0) + 1,
        };

        WriteRecord(revision, record);
        bool keepValue = record.Value.Length <= store.MaxCachedValueBytes;
        history.AppendPut(revision, keepValue ? record : Records.WithoutValue(record), keepValue);
        if (before is not null)
        {
            store.LeaseKeys.Detach(before.Lease, history);
        }
        store.LeaseKeys.Attach(record.Lease, history);
        changes.Add(new Change(history, revision, record, previous));
        txnChanges++;

        var response = new PutResponse { Header = new ResponseHeader { Revision = txnMain } };
        if (request.PrevKv && wholeBefore is not null)
        {
            response.PrevKv = wholeBefore;
        }
        return response;
    }

    private DeleteRangeResponse ApplyDeleteRange(DeleteRangeRequest request)
    {
        var response = new DeleteRangeResponse();
        // Deleting appends to histories but never adds or removes keys, so the walk stays valid.
        foreach (KeyHistory history in Index.Range(KeyRange.Of(request.Key, request.RangeEnd)))
        {
            if (history.Latest is null)
            {
                continue;
            }
            if (request.PrevKv)
            {
                response.PrevKvs.Add(PreviousRecord.Of(history).Whole(this));
            }
            Delete(history);
            response.Deleted++;
        }
        response.Header = new ResponseHeader { Revision = TxnReadRevision };
        return response;
    }

    private void Delete(KeyHistory history)
    {
        PreviousRecord previous = PreviousRecord.Of(history);
        Revision revision = new(txnMain, txnChanges);
        WriteTombstone(revision, history.Key);
        history.AppendTombstone(revision);
        store.LeaseKeys.Detach(previous.Record!.Lease, history);
        changes.Add(new Change(history, revision, record: null, previous));
        txnChanges++;
    }

    private void WriteRecord(Revision revision, KeyValue record)
    {
        Span<byte> value = workspace.RecordBufferOf(record.CalculateSize());
        record.WriteTo(value);
        Span<byte> key = stackalloc byte[RevisionKey.TombstoneLength];
        int keyLength = RevisionKey.Write(key, revision, tombstone: false);
        backendBatch.Put(Bucket.Key, key[..keyLength], value);
    }

    private void WriteTombstone(Revision revision, byte[] userKey)
    {
        Span<byte> value = workspace.RecordBufferOf(TombstoneRecord.Size(userKey.Length));
        TombstoneRecord.Write(value, userKey);
        Span<byte> key = stackalloc byte[RevisionKey.TombstoneLength];
        int keyLength = RevisionKey.Write(key, revision, tombstone: true);
        backendBatch.Put(Bucket.Key, key[..keyLength], value);
    }

    private KeyValue RecordOfChange(Revision revision)
    {
        int low = 0;
        int high = changes.Count - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            int order = changes[middle].Revision.CompareTo(revision);
            if (order == 0)
            {
                return changes[middle].Record
                    ?? throw new InvalidOperationException($"revision {revision} is a deletion, not a record");
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        throw new InvalidOperationException($"revision {revision} is not among this batch's changes");
    }

    private void Undo(Change change)
    {
        KeyHistory history = change.History;
        history.RemoveNewest(change.Previous.Record, change.Previous.HasValue);
        if (change.Record is not null)
        {
            store.LeaseKeys.Detach(change.Record.Lease, history);
        }
        if (change.Previous.Record is not null)
        {
            store.LeaseKeys.Attach(change.Previous.Record.Lease, history);
        }
        if (history.IsEmpty)
        {
            Index.Remove(history.Key);
        }
    }

    private void Close()
    {
        closed = true;
        workspace.Clear();
        backendBatch.Dispose();
        store.BatchClosed(this);
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(closed, this);
}
