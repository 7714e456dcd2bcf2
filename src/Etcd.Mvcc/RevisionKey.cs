using System.Buffers.Binary;

namespace Etcd.Mvcc;

/// <summary>
/// The backend key of one record in <c>Bucket.Key</c>, laid out as etcd lays it out so that
/// byte order is revision order: 8-byte big-endian main, '_', 8-byte big-endian sub, and for a
/// deletion one more byte 't'. The layout is on disk and feeds HashKV: never change it.
/// </summary>
internal static class RevisionKey
{
    public const int Length = 17;
    public const int TombstoneLength = 18;
    private const byte Separator = (byte)'_';
    private const byte TombstoneMark = (byte)'t';

    /// <summary>Writes the key into <paramref name="destination"/> and returns its length.</summary>
    public static int Write(Span<byte> destination, Revision revision, bool tombstone)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, revision.Main);
        destination[8] = Separator;
        BinaryPrimitives.WriteInt64BigEndian(destination[9..], revision.Sub);
        if (!tombstone)
        {
            return Length;
        }
        destination[Length] = TombstoneMark;
        return TombstoneLength;
    }

    /// <summary>The smallest key of all records with main revision <paramref name="main"/>.</summary>
    public static int WriteLowerBound(Span<byte> destination, long main) =>
        Write(destination, new Revision(main, 0), tombstone: false);

    public static Revision Read(ReadOnlySpan<byte> key)
    {
        if (key.Length < Length)
        {
            throw new InvalidDataException($"revision key of {key.Length} bytes; expected at least {Length}");
        }
        return new Revision(
            BinaryPrimitives.ReadInt64BigEndian(key),
            BinaryPrimitives.ReadInt64BigEndian(key[9..]));
    }

    public static bool IsTombstone(ReadOnlySpan<byte> key) =>
        key.Length == TombstoneLength && key[Length] == TombstoneMark;
}
