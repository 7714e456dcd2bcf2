using Etcd.Api.Mvccpb;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Mvcc;

/// <summary>Rebuilds the in-memory index from the backend on open: one scan of the key bucket in revision order.</summary>
internal static class StoreLoader
{
    public static StoreState Load(IBackendReader reader, KeyIndex index, LeaseKeys leaseKeys, int maxCachedValueBytes)
    {
        long finished = MetaKeys.GetRevision(reader, MetaKeys.FinishedCompact) ?? -1;
        long scheduled = MetaKeys.GetRevision(reader, MetaKeys.ScheduledCompact) ?? -1;
        long newest = 1;
        reader.Scan(Bucket.Key, [], [], (key, value) =>
        {
            Revision revision = RevisionKey.Read(key);
            AddRecord(index, revision, RevisionKey.IsTombstone(key), KeyValue.Parser.ParseFrom(value), maxCachedValueBytes);
            newest = revision.Main;
            return true;
        });

        foreach (KeyHistory history in index.Range(KeyRange.Of([], [0])))
        {
            if (history.Latest is { Lease: not 0 } live)
            {
                leaseKeys.Attach(live.Lease, history);
            }
        }

        long compacted = Math.Max(finished, scheduled);
        return new StoreState(
            // A compaction may have removed every record up to its revision; the store's revision
            // cannot be below a revision that was once current.
            Revision: Math.Max(newest, compacted),
            CompactRevision: compacted,
            FinishedCompactRevision: finished,
            ConsistentIndex: MetaKeys.GetUInt64(reader, MetaKeys.ConsistentIndex),
            ConsistentTerm: MetaKeys.GetUInt64(reader, MetaKeys.Term));
    }

    private static void AddRecord(KeyIndex index, Revision revision, bool tombstone, KeyValue record, int maxCachedValueBytes)
    {
        KeyHistory? history = index.Find(record.Key.Span);
        if (history is null)
        {
            if (tombstone)
            {
                // An interrupted compaction removed this life's puts but not yet its deletion.
                return;
            }
            history = new KeyHistory(OwnedBytes.ArrayOf(record.Key));
            index.Add(history);
        }
        else if (tombstone && history.Latest is null)
        {
            return;
        }
        if (tombstone)
        {
            history.AppendTombstone(revision);
            return;
        }
        // Share one key ByteString among the records kept in memory instead of one per record.
        record.Key = history.Latest?.Key ?? OwnedBytes.Wrap(history.Key);
        bool keepValue = record.Value.Length <= maxCachedValueBytes;
        if (!keepValue)
        {
            record.Value = ByteString.Empty;
        }
        history.AppendPut(revision, record, keepValue);
    }
}
