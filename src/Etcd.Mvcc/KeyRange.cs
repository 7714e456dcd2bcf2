using Google.Protobuf;

namespace Etcd.Mvcc;

/// <summary>
/// The keys a request names with etcd's (key, range_end) convention: an empty range_end names
/// the single key; range_end "\0" names every key from key on; otherwise [key, range_end).
/// </summary>
internal readonly ref struct KeyRange
{
    private KeyRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, KeyRangeKind kind)
    {
        Start = start;
        End = end;
        Kind = kind;
    }

    public ReadOnlySpan<byte> Start { get; }

    /// <summary>Exclusive upper bound; meaningful only for <see cref="KeyRangeKind.Bounded"/>.</summary>
    public ReadOnlySpan<byte> End { get; }

    public KeyRangeKind Kind { get; }

    public static KeyRange Of(ByteString key, ByteString rangeEnd) => Of(key.Span, rangeEnd.Span);

    public static KeyRange Of(ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd)
    {
        if (rangeEnd.IsEmpty)
        {
            return new KeyRange(key, default, KeyRangeKind.Single);
        }
        if (rangeEnd.Length == 1 && rangeEnd[0] == 0)
        {
            return new KeyRange(key, default, KeyRangeKind.ToEnd);
        }
        return new KeyRange(key, rangeEnd, KeyRangeKind.Bounded);
    }

    public static KeyRange Single(ReadOnlySpan<byte> key) => new(key, default, KeyRangeKind.Single);
}

internal enum KeyRangeKind
{
    /// <summary>Exactly the key <see cref="KeyRange.Start"/>.</summary>
    Single,
    /// <summary>Start &lt;= key &lt; End.</summary>
    Bounded,
    /// <summary>Start &lt;= key.</summary>
    ToEnd,
}
