using System.Collections.Immutable;

namespace Etcd.Storage.Backend.Memory;

/// <summary>
/// The whole content of a <see cref="MemoryBackend"/> after some commit. Immutable, so a
/// snapshot or a crash point is just a reference to one of these.
/// </summary>
internal sealed class MemoryState(ImmutableSortedSet<MemoryEntry> entries, long liveBytes)
{
    public static readonly MemoryState Empty = new(ImmutableSortedSet.Create<MemoryEntry>(MemoryEntryComparer.Instance), 0);

    public ImmutableSortedSet<MemoryEntry> Entries { get; } = entries;

    /// <summary>Sum of <see cref="MemoryEntry.Size"/> over all entries.</summary>
    public long LiveBytes { get; } = liveBytes;

    /// <summary>Index of the first entry at or after (bucket, key); Count when there is none.</summary>
    public int LowerBound(Bucket bucket, ReadOnlySpan<byte> key)
    {
        // Binary search through the indexer (O(log n) each) so a lookup allocates no probe entry.
        int low = 0;
        int high = Entries.Count;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (MemoryEntry.Compare(bucket, key, Entries[middle]) > 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
