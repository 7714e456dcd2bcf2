namespace Etcd.Mvcc;

/// <summary>One sorted run of the <see cref="KeyIndex"/>; holds at most <see cref="KeyIndex.ChunkCapacity"/> histories.</summary>
internal sealed class KeyChunk
{
    public KeyHistory[] Items { get; } = new KeyHistory[KeyIndex.ChunkCapacity];

    public int Count { get; private set; }

    /// <summary>The slot of <paramref name="key"/>, or the bitwise complement of where it would go.</summary>
    public int Search(ReadOnlySpan<byte> key)
    {
        int low = 0;
        int high = Count - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            int order = Items[middle].Key.AsSpan().SequenceCompareTo(key);
            if (order == 0)
            {
                return middle;
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
        return ~low;
    }

    public void Insert(int slot, KeyHistory history)
    {
        Array.Copy(Items, slot, Items, slot + 1, Count - slot);
        Items[slot] = history;
        Count++;
    }

    public void RemoveAt(int slot)
    {
        Count--;
        Array.Copy(Items, slot + 1, Items, slot, Count - slot);
        Items[Count] = null!;
    }

    /// <summary>Moves the upper half of a full chunk into a new chunk and returns it.</summary>
    public KeyChunk SplitUpperHalf()
    {
        var upper = new KeyChunk();
        int keep = Count / 2;
        int move = Count - keep;
        Array.Copy(Items, keep, upper.Items, 0, move);
        Array.Clear(Items, keep, move);
        upper.Count = move;
        Count = keep;
        return upper;
    }

    /// <summary>Appends all of <paramref name="next"/>, whose keys all sort after this chunk's.</summary>
    public void Append(KeyChunk next)
    {
        Array.Copy(next.Items, 0, Items, Count, next.Count);
        Count += next.Count;
    }
}
