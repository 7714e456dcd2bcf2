namespace Etcd.Server.Authentication;

/// <summary>
/// etcd's ordering of range bounds for permissions: bytes compare as usual, except that an empty
/// bound lies after every key (an open end). The same rule applies to a begin bound, which is why
/// a permission on the empty key matches nothing in etcd either.
/// </summary>
internal static class KeyBound
{
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.IsEmpty) return b.IsEmpty ? 0 : 1;
        if (b.IsEmpty) return -1;
        return a.SequenceCompareTo(b);
    }

    /// <summary>The end of the one-key interval [key, key+"\0").</summary>
    public static byte[] PointEnd(ReadOnlySpan<byte> key)
    {
        var end = new byte[key.Length + 1];
        key.CopyTo(end);
        return end;
    }
}
