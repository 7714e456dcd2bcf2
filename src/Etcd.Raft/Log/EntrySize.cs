using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Log;

/// <summary>Byte accounting for entries, used to cut batches to a size budget.</summary>
internal static class EntrySize
{
    /// <summary>
    /// How many leading entries fit in <paramref name="maxSize"/> encoded bytes. Always at least one
    /// (when there is one), so an oversized entry still makes progress.
    /// </summary>
    public static int CountWithin(ReadOnlySpan<Entry> entries, ulong maxSize)
    {
        if (entries.Length <= 1 || maxSize == ulong.MaxValue)
        {
            return entries.Length;
        }

        ulong size = (ulong)entries[0].CalculateSize();
        int n = 1;
        while (n < entries.Length)
        {
            size += (ulong)entries[n].CalculateSize();
            if (size > maxSize)
            {
                break;
            }

            n++;
        }

        return n;
    }

    /// <summary>The payload bytes counted against the uncommitted-size limit.</summary>
    public static ulong Payload(Entry entry) => (ulong)entry.Data.Length;
}
