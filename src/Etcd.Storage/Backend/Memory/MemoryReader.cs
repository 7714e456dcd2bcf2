namespace Etcd.Storage.Backend.Memory;

/// <summary>Reads one <see cref="MemoryState"/>; the state never changes, so nothing needs releasing.</summary>
internal sealed class MemoryReader(MemoryState state) : IBackendSnapshot
{
    public byte[]? Get(Bucket bucket, ReadOnlySpan<byte> key)
    {
        int index = state.LowerBound(bucket, key);
        if (index == state.Entries.Count)
        {
            return null;
        }
        MemoryEntry entry = state.Entries[index];
        // Callers may keep or modify what they get, so hand out a copy.
        return MemoryEntry.Compare(bucket, key, entry) == 0 ? (byte[])entry.Value.Clone() : null;
    }

    public void Scan(Bucket bucket, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ScanVisitor visit)
    {
        var entries = state.Entries;
        for (int i = state.LowerBound(bucket, from); i < entries.Count; i++)
        {
            MemoryEntry entry = entries[i];
            if (entry.Bucket != bucket || (!to.IsEmpty && entry.Key.AsSpan().SequenceCompareTo(to) >= 0))
            {
                return;
            }
            if (!visit(entry.Key, entry.Value))
            {
                return;
            }
        }
    }

    public void Dispose()
    {
    }
}
