namespace Etcd.Bbolt;

/// <summary>FNV-1a, 64 bits: the checksum bbolt keeps in each meta page.</summary>
public static class Fnv64a
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        var hash = OffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}
