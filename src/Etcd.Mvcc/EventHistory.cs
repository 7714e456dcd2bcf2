using Etcd.Api.Mvccpb;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Mvcc;

/// <summary>Decides from a key alone whether its changes are wanted, before the record is decoded.</summary>
public delegate bool HistoryKeyFilter(ReadOnlySpan<byte> key);

/// <summary>What a history read covered: every change with a main revision up to <see cref="ReadThrough"/>.</summary>
/// <param name="Compacted">The start revision is below the compaction revision: nothing was read.</param>
/// <param name="CompactRevision">The store's compaction revision at the time of the read.</param>
/// <param name="ReadThrough">Last revision whose changes were all read (less than asked when the event limit was hit).</param>
public readonly record struct HistoryRead(bool Compacted, long CompactRevision, long ReadThrough);

/// <summary>
/// Reads committed changes back from the backend as watch events, in revision order: what a
/// watcher that starts in the past, or fell behind, needs to catch up.
/// </summary>
public static class EventHistory
{
    /// <summary>
    /// Appends to <paramref name="events"/> the changes with main revision in
    /// [<paramref name="fromRevision"/>, <paramref name="throughRevision"/>] whose key passes
    /// <paramref name="filter"/>. Stops early, at a revision boundary, once
    /// <paramref name="maxEvents"/> are collected, so a revision's changes are never split.
    /// A put is its record; a deletion is the bare key at the deleting revision (as etcd
    /// reports it); neither carries prev_kv.
    /// </summary>
    public static HistoryRead Read(KvStore store, long fromRevision, long throughRevision, int maxEvents, HistoryKeyFilter? filter, List<Event> events)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(events);
        IBackendSnapshot snapshot;
        long compactRevision;
        store.IndexLock.EnterReadLock();
        try
        {
            compactRevision = store.CompactRevision;
            if (fromRevision < compactRevision)
            {
                return new HistoryRead(true, compactRevision, 0);
            }
            throughRevision = Math.Min(throughRevision, store.CurrentRevision);
            if (fromRevision > throughRevision)
            {
                return new HistoryRead(false, compactRevision, throughRevision);
            }
            // Taken under the lock, as Range does: the records a later compaction removes are
            // removed after that compaction is visible, so never from this view.
            snapshot = store.Backend.Snapshot();
        }
        finally
        {
            store.IndexLock.ExitReadLock();
        }

        using (snapshot)
        {
            Span<byte> from = stackalloc byte[RevisionKey.Length];
            Span<byte> to = stackalloc byte[RevisionKey.Length];
            RevisionKey.WriteLowerBound(from, Math.Max(fromRevision, 0));
            RevisionKey.WriteLowerBound(to, throughRevision + 1);
            long readThrough = throughRevision;
            long currentMain = 0;
            int collected = 0;
            snapshot.Scan(Bucket.Key, from, to, (key, value) =>
            {
                Revision revision = RevisionKey.Read(key);
                if (revision.Main != currentMain)
                {
                    if (collected >= maxEvents)
                    {
                        readThrough = currentMain;
                        return false;
                    }
                    currentMain = revision.Main;
                }
                if (filter is not null && !filter(UserKeyOf(value)))
                {
                    return true;
                }
                events.Add(ToEvent(revision, RevisionKey.IsTombstone(key), value));
                collected++;
                return true;
            });
            return new HistoryRead(false, compactRevision, readThrough);
        }
    }

    private static Event ToEvent(Revision revision, bool tombstone, ReadOnlySpan<byte> value)
    {
        KeyValue record = KeyValue.Parser.ParseFrom(value);
        if (!tombstone)
        {
            return new Event { Type = Event.Types.EventType.Put, Kv = record };
        }
        record.ModRevision = revision.Main;
        return new Event { Type = Event.Types.EventType.Delete, Kv = record };
    }

    /// <summary>
    /// The user key of a stored record without decoding it: records are KeyValue messages, and
    /// protobuf writes the key (field 1) first. Anything unexpected falls back to a full parse.
    /// </summary>
    private static ReadOnlySpan<byte> UserKeyOf(ReadOnlySpan<byte> record)
    {
        const byte keyTag = (1 << 3) | 2;
        if (record.Length > 1 && record[0] == keyTag)
        {
            int at = 1;
            int length = 0;
            for (int shift = 0; shift < 35 && at < record.Length; shift += 7)
            {
                byte b = record[at++];
                length |= (b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return length >= 0 && at + length <= record.Length ? record.Slice(at, length) : FullParse(record);
                }
            }
        }
        return FullParse(record);
    }

    private static ReadOnlySpan<byte> FullParse(ReadOnlySpan<byte> record) => KeyValue.Parser.ParseFrom(record).Key.Span;
}
