using System.Buffers.Binary;
using System.Numerics;

namespace Etcd.Storage.Checksums;

/// <summary>
/// CRC-32C (Castagnoli), the checksum etcd uses for its WAL. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the CPU's crc32 instruction where there is one.
/// </summary>
public static class Crc32C
{
    /// <summary>
    /// Extends <paramref name="crc"/> (a finished checksum, 0 for none) over <paramref name="data"/>.
    /// Chaining holds: Append(Append(0, a), b) == Append(0, a + b).
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        while (data.Length >= sizeof(ulong))
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }
        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }
        return ~state;
    }

    /// <summary>The checksum of <paramref name="data"/> alone.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);
}
