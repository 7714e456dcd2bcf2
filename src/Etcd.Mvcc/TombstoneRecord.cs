namespace Etcd.Mvcc;

/// <summary>
/// The value etcd stores at a deletion's revision: a KeyValue holding only the key. Encoded by
/// hand (field 1, length-delimited) to avoid building a message per deleted key; the bytes are
/// what protobuf would write, which HashKV depends on.
/// </summary>
internal static class TombstoneRecord
{
    private const byte KeyFieldTag = (1 << 3) | 2;

    public static int Size(int keyLength) => 1 + VarintSize((uint)keyLength) + keyLength;

    public static void Write(Span<byte> destination, ReadOnlySpan<byte> key)
    {
        destination[0] = KeyFieldTag;
        int at = 1;
        uint length = (uint)key.Length;
        while (length >= 0x80)
        {
            destination[at++] = (byte)(length | 0x80);
            length >>= 7;
        }
        destination[at++] = (byte)length;
        key.CopyTo(destination[at..]);
    }

    private static int VarintSize(uint value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }
}
