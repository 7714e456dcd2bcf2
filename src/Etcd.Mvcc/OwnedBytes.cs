using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Etcd.Mvcc;

/// <summary>
/// Turns protobuf byte strings into arrays the index can keep. A ByteString is immutable, so
/// when it wraps a whole array (as every parsed one does) the array is shared, not copied.
/// </summary>
internal static class OwnedBytes
{
    public static byte[] ArrayOf(ByteString bytes) =>
        TryGetWholeArray(bytes, out byte[]? array) ? array : bytes.ToByteArray();

    public static bool TryGetWholeArray(ByteString bytes, [NotNullWhen(true)] out byte[]? array)
    {
        if (MemoryMarshal.TryGetArray(bytes.Memory, out ArraySegment<byte> segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length)
        {
            array = segment.Array;
            return true;
        }
        array = null;
        return false;
    }

    /// <summary>A ByteString over <paramref name="array"/>, which must never change.</summary>
    public static ByteString Wrap(byte[] array) => UnsafeByteOperations.UnsafeWrap(array);
}
