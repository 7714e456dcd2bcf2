using System.Buffers.Binary;
using Etcd.Storage.Checksums;

namespace Etcd.Storage.Wal;

/// <summary>
/// How one record sits in a segment. Little-endian, 8-byte aligned:
/// <code>
///   [0..4)    u32 checksum: CRC-32C over bytes [4..24+length), chained from the previous
///             record's checksum (0 at the start of a segment)
///   [4..8)    u32 data length
///   [8]       type (never 0)
///   [9..16)   zero
///   [16..24)  u64 index (the Raft index for entries, else 0)
///   [24..)    data, then zeros up to a multiple of 8
/// </code>
/// Chaining makes a lost, reordered or repeated record fail the check of the one after it. The
/// checksum covers the header too, so a damaged length or type is caught, not trusted.
/// </summary>
internal static class WalFrame
{
    public const int HeaderSize = 24;
    public const int Alignment = 8;

    /// <summary>Largest data accepted; a length above it is damage, not a record.</summary>
    public const int MaxDataLength = int.MaxValue - HeaderSize - Alignment;

    public static long FrameSize(long dataLength) => HeaderSize + ((dataLength + Alignment - 1) & ~(long)(Alignment - 1));

    /// <summary>Writes the frame into <paramref name="destination"/> (at least FrameSize long) and returns its checksum.</summary>
    public static uint Encode(Span<byte> destination, WalRecordType type, ulong index, ReadOnlySpan<byte> data, uint previousCrc)
    {
        int frameSize = (int)FrameSize(data.Length);
        Span<byte> frame = destination[..frameSize];
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], (uint)data.Length);
        frame[8] = (byte)type;
        frame[9..16].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(frame[16..], index);
        data.CopyTo(frame[HeaderSize..]);
        frame[(HeaderSize + data.Length)..].Clear();
        uint crc = Crc32C.Append(previousCrc, frame[4..(HeaderSize + data.Length)]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame, crc);
        return crc;
    }

    /// <summary>The checksum a header and its data should carry, given the previous record's.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data, uint previousCrc) =>
        Crc32C.Append(Crc32C.Append(previousCrc, header[4..HeaderSize]), data);

    public static uint StoredCrc(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header);

    public static uint DataLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);

    public static WalRecordType Type(ReadOnlySpan<byte> header) => (WalRecordType)header[8];

    public static ulong Index(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);

    /// <summary>True when the reserved bytes are zero and the type is one this version writes.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> header) =>
        header[8] is >= (byte)WalRecordType.Crc and <= (byte)WalRecordType.State
        && !header[9..16].ContainsAnyExcept((byte)0);
}
