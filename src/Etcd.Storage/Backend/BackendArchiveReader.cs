using System.Buffers;
using System.Buffers.Binary;
using Etcd.Storage.Checksums;

namespace Etcd.Storage.Backend;

/// <summary>Reads a <see cref="BackendArchive"/> and checks its count and checksum.</summary>
internal static class BackendArchiveReader
{
    /// <summary>
    /// Hands every pair to <paramref name="visit"/> in order, then verifies the trailer.
    /// Throws <see cref="InvalidDataException"/> when the archive is truncated or corrupt; by then
    /// some pairs were visited, so the caller must discard what it built.
    /// </summary>
    /// <returns>The number of pairs.</returns>
    public static ulong Read(Stream source, ArchivePairVisitor visit)
    {
        var input = new BufferedStream(source, 64 * 1024);
        byte[] pair = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            uint crc = 0;
            Span<byte> magic = stackalloc byte[BackendArchive.Magic.Length];
            ReadExactly(input, magic, ref crc);
            if (!magic.SequenceEqual(BackendArchive.Magic))
            {
                throw new InvalidDataException("backend snapshot: not a backend archive (bad magic)");
            }

            ulong count = 0;
            Span<byte> header = stackalloc byte[BackendArchive.PairHeaderSize];
            while (true)
            {
                ReadExactly(input, header[..1], ref crc);
                if (header[0] == BackendArchive.EndMarker)
                {
                    break;
                }
                ReadExactly(input, header[1..], ref crc);
                uint keyLength = BinaryPrimitives.ReadUInt32LittleEndian(header[1..]);
                uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(header[5..]);
                long total = (long)keyLength + valueLength;
                if (total > Array.MaxLength)
                {
                    throw new InvalidDataException("backend snapshot: pair length out of range");
                }
                if (total > pair.Length)
                {
                    ArrayPool<byte>.Shared.Return(pair);
                    pair = ArrayPool<byte>.Shared.Rent((int)total);
                }
                Span<byte> bytes = pair.AsSpan(0, (int)total);
                ReadExactly(input, bytes, ref crc);
                visit((Bucket)header[0], bytes[..(int)keyLength], bytes[(int)keyLength..]);
                count++;
            }

            Span<byte> trailer = stackalloc byte[sizeof(ulong)];
            ReadExactly(input, trailer, ref crc);
            ulong expectedCount = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
            uint computed = crc;
            Span<byte> stored = stackalloc byte[sizeof(uint)];
            ReadExactly(input, stored, ref crc);
            if (BinaryPrimitives.ReadUInt32LittleEndian(stored) != computed)
            {
                throw new InvalidDataException("backend snapshot: checksum mismatch");
            }
            if (expectedCount != count)
            {
                throw new InvalidDataException($"backend snapshot: holds {count} pairs, trailer says {expectedCount}");
            }
            return count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pair);
        }
    }

    private static void ReadExactly(Stream input, Span<byte> into, ref uint crc)
    {
        try
        {
            input.ReadExactly(into);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("backend snapshot: truncated", e);
        }
        crc = Crc32C.Append(crc, into);
    }
}
