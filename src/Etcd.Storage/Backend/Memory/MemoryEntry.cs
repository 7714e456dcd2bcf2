namespace Etcd.Storage.Backend.Memory;

/// <summary>One stored pair. Immutable: snapshots share entries with the live state.</summary>
internal sealed class MemoryEntry(Bucket bucket, byte[] key, byte[] value)
{
    public Bucket Bucket { get; } = bucket;
    public byte[] Key { get; } = key;
    public byte[] Value { get; } = value;

    /// <summary>What the entry counts toward the backend's size: its bytes plus the bucket prefix.</summary>
    public long Size => 1 + Key.Length + Value.Length;

    /// <summary>Bucket order first, then bytewise key order: the order RocksDB sees with its one-byte prefix.</summary>
    public static int Compare(Bucket bucket, ReadOnlySpan<byte> key, MemoryEntry entry)
    {
        int byBucket = ((byte)bucket).CompareTo((byte)entry.Bucket);
        return byBucket != 0 ? byBucket : key.SequenceCompareTo(entry.Key);
    }
}

/// <summary>Orders entries by (bucket, key); the value takes no part, so a probe finds its pair.</summary>
internal sealed class MemoryEntryComparer : IComparer<MemoryEntry>
{
    public static readonly MemoryEntryComparer Instance = new();

    public int Compare(MemoryEntry? x, MemoryEntry? y) => MemoryEntry.Compare(x!.Bucket, x.Key, y!);
}
