using System.Buffers.Binary;
using System.Text;

namespace Etcd.Server.V2.Store;

/// <summary>
/// A node as saved in the backend: one byte of flags (1 = directory), createdIndex,
/// modifiedIndex and the expiry in Unix nanoseconds (0 = none) as little-endian 64-bit
/// numbers, then the value in UTF-8. The path is the backend key.
/// </summary>
public readonly record struct V2NodeRecord(string Path, bool IsDir, ulong CreatedIndex, ulong ModifiedIndex, long ExpireNanos, string Value)
{
    private const int HeaderSize = 1 + 8 + 8 + 8;

    public static V2NodeRecord Of(V2Node node) =>
        new(node.Path, node.IsDir, node.CreatedIndex, node.ModifiedIndex, node.ExpireNanos, node.Value);

    public byte[] Encode()
    {
        var value = new byte[HeaderSize + Encoding.UTF8.GetByteCount(Value)];
        value[0] = IsDir ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(1), CreatedIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(9), ModifiedIndex);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(17), ExpireNanos);
        Encoding.UTF8.GetBytes(Value, value.AsSpan(HeaderSize));
        return value;
    }

    public static V2NodeRecord Decode(string path, ReadOnlySpan<byte> value) => new(
        path,
        (value[0] & 1) != 0,
        BinaryPrimitives.ReadUInt64LittleEndian(value[1..]),
        BinaryPrimitives.ReadUInt64LittleEndian(value[9..]),
        BinaryPrimitives.ReadInt64LittleEndian(value[17..]),
        Encoding.UTF8.GetString(value[HeaderSize..]));
}
