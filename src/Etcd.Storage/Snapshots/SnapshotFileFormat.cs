using System.Buffers.Binary;
using Etcd.Storage.Checksums;

namespace Etcd.Storage.Snapshots;

/// <summary>
/// The bytes of a snapshot file, little-endian:
/// <code>
///   "ETCDSNP1"          magic, 8 bytes
///   u64 term, u64 index (must agree with the file name)
///   u64 data length
///   data
///   u32 CRC-32C of every byte before it
/// </code>
/// </summary>
internal static class SnapshotFileFormat
{
    private const int HeaderSize = 8 + 3 * sizeof(ulong);
    private const int TrailerSize = sizeof(uint);

    private static ReadOnlySpan<byte> Magic => "ETCDSNP1"u8;

    public static byte[] Encode(ulong term, ulong index, ReadOnlySpan<byte> data)
    {
        var file = new byte[HeaderSize + data.Length + TrailerSize];
        Span<byte> span = file;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], term);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], index);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)data.Length);
        data.CopyTo(span[HeaderSize..]);
        int checkedLength = HeaderSize + data.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span[checkedLength..], Crc32C.Compute(span[..checkedLength]));
        return file;
    }

    /// <summary>Decodes and verifies a whole file; <see cref="InvalidDataException"/> says what is wrong.</summary>
    public static StoredSnapshot Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderSize + TrailerSize)
        {
            throw new InvalidDataException(file.Length == 0 ? "snapshot file is empty" : "snapshot file is truncated");
        }
        if (!file[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a snapshot file (bad magic)");
        }
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file[24..]);
        if (length != (ulong)(file.Length - HeaderSize - TrailerSize))
        {
            throw new InvalidDataException($"snapshot file holds {file.Length - HeaderSize - TrailerSize} data bytes, header says {length}");
        }
        int checkedLength = file.Length - TrailerSize;
        if (Crc32C.Compute(file[..checkedLength]) != BinaryPrimitives.ReadUInt32LittleEndian(file[checkedLength..]))
        {
            throw new InvalidDataException("snapshot file checksum mismatch");
        }
        return new StoredSnapshot(
            BinaryPrimitives.ReadUInt64LittleEndian(file[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(file[16..]),
            file[HeaderSize..checkedLength].ToArray());
    }
}
