namespace Etcd.Mvcc;

/// <summary>
/// The keys of the store in byte order, each with its <see cref="KeyHistory"/>. Two levels of
/// sorted arrays: an array of chunks, each a sorted array of at most <see cref="ChunkCapacity"/>
/// histories. Lookups are two binary searches, range scans walk chunks in order without
/// allocating, and an insert moves at most one chunk's worth of references (plus the chunk
/// array when a chunk splits, once per about <see cref="ChunkCapacity"/>/2 inserts).
/// </summary>
/// <remarks>Not thread-safe: the store guards it with a reader-writer lock.</remarks>
internal sealed class KeyIndex
{
    /// <summary>Large enough that the chunk array stays small, small enough that an insert's copy stays cheap.</summary>
    internal const int ChunkCapacity = 256;

    // Invariants: every chunk in [0, chunkCount) holds at least one history; chunks are ordered
    // and do not overlap; keys are unique across the index.
    private KeyChunk[] chunks = new KeyChunk[4];
    private int chunkCount;

    /// <summary>Number of keys, live or deleted, that still have revisions.</summary>
    public int Count { get; private set; }

    /// <summary>Forgets every key (the store is being rebuilt from another backend).</summary>
    public void Clear()
    {
        chunks = new KeyChunk[4];
        chunkCount = 0;
        Count = 0;
    }

    public KeyHistory? Find(ReadOnlySpan<byte> key)
    {
        int chunk = ChunkFor(key);
        if (chunk < 0)
        {
            return null;
        }
        int slot = chunks[chunk].Search(key);
        return slot >= 0 ? chunks[chunk].Items[slot] : null;
    }

    /// <summary>Adds a history whose key is not in the index yet.</summary>
    public void Add(KeyHistory history)
    {
        if (chunkCount == 0)
        {
            var first = new KeyChunk();
            first.Insert(0, history);
            InsertChunk(0, first);
            Count++;
            return;
        }
        // A key below every other key goes to the first chunk.
        int chunkIndex = Math.Max(ChunkFor(history.Key), 0);
        KeyChunk chunk = chunks[chunkIndex];
        int slot = chunk.Search(history.Key);
        if (slot >= 0)
        {
            throw new InvalidOperationException("key is already in the index");
        }
        slot = ~slot;
        if (chunk.Count == ChunkCapacity)
        {
            KeyChunk right = chunk.SplitUpperHalf();
            InsertChunk(chunkIndex + 1, right);
            if (slot > chunk.Count)
            {
                slot -= chunk.Count;
                chunk = right;
            }
        }
        chunk.Insert(slot, history);
        Count++;
    }

    /// <summary>Removes the history of <paramref name="key"/>; returns false when it is absent.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        int chunkIndex = ChunkFor(key);
        if (chunkIndex < 0)
        {
            return false;
        }
        KeyChunk chunk = chunks[chunkIndex];
        int slot = chunk.Search(key);
        if (slot < 0)
        {
            return false;
        }
        chunk.RemoveAt(slot);
        Count--;
        if (chunk.Count == 0)
        {
            RemoveChunk(chunkIndex);
        }
        else
        {
            MergeIfSmall(chunkIndex);
        }
        return true;
    }

    /// <summary>
    /// The histories of the keys in <paramref name="range"/>, in key order. The index must not
    /// change while the enumerator is in use.
    /// </summary>
    public RangeEnumerator Range(KeyRange range)
    {
        int chunk = Math.Max(ChunkFor(range.Start), 0);
        int slot = 0;
        if (chunk < chunkCount)
        {
            slot = chunks[chunk].Search(range.Start);
            if (slot < 0)
            {
                slot = ~slot;
            }
        }
        return new RangeEnumerator(this, chunk, slot, range);
    }

    /// <summary>Index of the last chunk whose first key is &lt;= <paramref name="key"/>; -1 when none.</summary>
    private int ChunkFor(ReadOnlySpan<byte> key)
    {
        int low = 0;
        int high = chunkCount - 1;
        int found = -1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            if (chunks[middle].Items[0].Key.AsSpan().SequenceCompareTo(key) <= 0)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found;
    }

    private void InsertChunk(int at, KeyChunk chunk)
    {
        if (chunkCount == chunks.Length)
        {
            Array.Resize(ref chunks, chunkCount * 2);
        }
        Array.Copy(chunks, at, chunks, at + 1, chunkCount - at);
        chunks[at] = chunk;
        chunkCount++;
    }

    private void RemoveChunk(int at)
    {
        chunkCount--;
        Array.Copy(chunks, at + 1, chunks, at, chunkCount - at);
        chunks[chunkCount] = null!;
    }

    /// <summary>
    /// Keeps chunks from thinning out when many keys are removed (compaction after deletes):
    /// a chunk below a quarter full is merged into a neighbour that has room for it.
    /// </summary>
    private void MergeIfSmall(int at)
    {
        KeyChunk chunk = chunks[at];
        if (chunk.Count >= ChunkCapacity / 4)
        {
            return;
        }
        if (at + 1 < chunkCount && chunk.Count + chunks[at + 1].Count <= ChunkCapacity / 2)
        {
            chunk.Append(chunks[at + 1]);
            RemoveChunk(at + 1);
        }
        else if (at > 0 && chunk.Count + chunks[at - 1].Count <= ChunkCapacity / 2)
        {
            chunks[at - 1].Append(chunk);
            RemoveChunk(at);
        }
    }

    /// <summary>Walks histories in key order; a ref struct so it can hold the range as spans.</summary>
    public ref struct RangeEnumerator
    {
        private readonly KeyIndex index;
        private readonly KeyRange range;
        private int chunk;
        private int slot;
        private bool yieldedSingle;

        internal RangeEnumerator(KeyIndex index, int chunk, int slot, KeyRange range)
        {
            this.index = index;
            this.chunk = chunk;
            this.slot = slot - 1;
            this.range = range;
            Current = null!;
        }

        public KeyHistory Current { get; private set; }

        public readonly RangeEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            slot++;
            while (chunk < index.chunkCount && slot >= index.chunks[chunk].Count)
            {
                chunk++;
                slot = 0;
            }
            if (chunk >= index.chunkCount)
            {
                return false;
            }
            KeyHistory next = index.chunks[chunk].Items[slot];
            bool inRange = range.Kind switch
            {
                KeyRangeKind.Single => !yieldedSingle && next.Key.AsSpan().SequenceEqual(range.Start),
                KeyRangeKind.Bounded => next.Key.AsSpan().SequenceCompareTo(range.End) < 0,
                _ => true,
            };
            if (!inRange)
            {
                return false;
            }
            Current = next;
            yieldedSingle = true;
            return true;
        }
    }
}
