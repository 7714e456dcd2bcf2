using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>
/// Everything the index knows about one key: its revisions, oldest first, and the record at the
/// newest revision. A deletion is an entry marked as tombstone; the entries after it belong to
/// the key's next life (etcd calls each life a generation).
/// </summary>
/// <remarks>
/// The newest record is kept whole when its value is small; otherwise <see cref="Latest"/> is a
/// copy without the value (enough for versions, leases and every compare but a value compare)
/// and the value is read from the backend when needed.
/// </remarks>
/// <remarks>
/// Mutated only under the index's write lock; read under its read lock. <see cref="Latest"/> is
/// never mutated after it is published, so readers may hand it out after releasing the lock.
/// </remarks>
internal sealed class KeyHistory
{
    private HistoryEntry[] entries;
    private int count;

    public KeyHistory(byte[] key)
    {
        Key = key;
        entries = new HistoryEntry[1];
    }

    /// <summary>The user key; immutable, shared with every record built for this key.</summary>
    public byte[] Key { get; }

    /// <summary>
    /// The record written at the newest revision, without its value unless
    /// <see cref="LatestHasValue"/>; null when that revision deleted the key.
    /// </summary>
    public KeyValue? Latest { get; private set; }

    /// <summary><see cref="Latest"/> carries its value.</summary>
    public bool LatestHasValue { get; private set; }

    /// <summary>No revisions are left: compaction dropped them all.</summary>
    public bool IsEmpty => count == 0;

    public int EntryCount => count;

    /// <summary>The newest revision of any kind; the history must not be empty.</summary>
    public HistoryEntry Newest => entries[count - 1];

    /// <summary>
    /// The revision that is visible at <paramref name="atRevision"/>: the newest one at or below it,
    /// unless that one deleted the key. <paramref name="isNewest"/> tells whether it is the entry
    /// <see cref="Latest"/> was written at.
    /// </summary>
    public bool TryGetVisible(long atRevision, out HistoryEntry entry, out bool isNewest)
    {
        // Reads almost always ask for the newest entry, so walk backwards.
        for (int i = count - 1; i >= 0; i--)
        {
            if (entries[i].Main <= atRevision)
            {
                entry = entries[i];
                isNewest = i == count - 1;
                return !entry.IsTombstone;
            }
        }
        entry = default;
        isNewest = false;
        return false;
    }

    /// <summary>
    /// Records a put; revisions must arrive in increasing order. <paramref name="record"/> lacks
    /// its value unless <paramref name="hasValue"/>.
    /// </summary>
    public void AppendPut(Revision revision, KeyValue record, bool hasValue)
    {
        Append(new HistoryEntry(revision.Main, checked((int)revision.Sub), isTombstone: false));
        Latest = record;
        LatestHasValue = hasValue;
    }

    /// <summary>Records a deletion; the key must be live.</summary>
    public void AppendTombstone(Revision revision)
    {
        Append(new HistoryEntry(revision.Main, checked((int)revision.Sub), isTombstone: true));
        Latest = null;
        LatestHasValue = false;
    }

    /// <summary>
    /// Takes back the newest revision (an uncommitted change being undone) and restores the
    /// record that was newest before it.
    /// </summary>
    public void RemoveNewest(KeyValue? previousLatest, bool previousHasValue)
    {
        count--;
        entries[count] = default;
        Latest = previousLatest;
        LatestHasValue = previousHasValue;
    }

    /// <summary>
    /// Drops the revisions a compaction at <paramref name="atRevision"/> makes unreachable: all
    /// before the newest one at or below it, and that one too when it is a deletion. The survivor
    /// at or below <paramref name="atRevision"/>, if any, is added to <paramref name="kept"/>.
    /// </summary>
    public void Compact(long atRevision, HashSet<Revision> kept)
    {
        int newest = IndexOfNewestAtOrBelow(atRevision);
        if (newest < 0)
        {
            return;
        }
        int firstKept = newest;
        if (entries[newest].IsTombstone)
        {
            firstKept = newest + 1;
        }
        else
        {
            kept.Add(entries[newest].Revision);
        }
        if (firstKept == 0)
        {
            return;
        }
        count -= firstKept;
        Array.Copy(entries, firstKept, entries, 0, count);
        Array.Clear(entries, count, firstKept);
        ShrinkIfSparse();
    }

    /// <summary>Adds the revision a compaction at <paramref name="atRevision"/> would keep, if any.</summary>
    public void CollectKept(long atRevision, HashSet<Revision> kept)
    {
        int newest = IndexOfNewestAtOrBelow(atRevision);
        if (newest >= 0 && !entries[newest].IsTombstone)
        {
            kept.Add(entries[newest].Revision);
        }
    }

    private int IndexOfNewestAtOrBelow(long atRevision)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            if (entries[i].Main <= atRevision)
            {
                return i;
            }
        }
        return -1;
    }

    private void Append(HistoryEntry entry)
    {
        if (count > 0)
        {
            HistoryEntry last = entries[count - 1];
            if (last.Main > entry.Main || (last.Main == entry.Main && last.Sub >= entry.Sub))
            {
                throw new InvalidOperationException(
                    $"revision {entry.Revision} is not after {last.Revision} for the same key");
            }
            if (last.IsTombstone && entry.IsTombstone)
            {
                throw new InvalidOperationException("deleting a key that is already deleted");
            }
        }
        else if (entry.IsTombstone)
        {
            throw new InvalidOperationException("deleting a key with no history");
        }
        if (count == entries.Length)
        {
            Array.Resize(ref entries, count * 2);
        }
        entries[count++] = entry;
    }

    private void ShrinkIfSparse()
    {
        // Keys updated often grow long histories; give the memory back once compaction trims them.
        if (entries.Length > 4 && count <= entries.Length / 4)
        {
            Array.Resize(ref entries, Math.Max(1, count * 2));
        }
    }
}
