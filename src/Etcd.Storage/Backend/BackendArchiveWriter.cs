using System.Buffers;
using System.Buffers.Binary;
using Etcd.Storage.Checksums;

namespace Etcd.Storage.Backend;

/// <summary>Streams pairs into the <see cref="BackendArchive"/> format through one pooled buffer.</summary>
internal sealed class BackendArchiveWriter : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream _destination;
    private byte[] _buffer;
    private int _used;
    private uint _crc;
    private ulong _count;

    public BackendArchiveWriter(Stream destination)
    {
        _destination = destination;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        Append(BackendArchive.Magic);
    }

    public void Add(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> header = stackalloc byte[BackendArchive.PairHeaderSize];
        header[0] = (byte)bucket;
        BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)key.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[5..], (uint)value.Length);
        Append(header);
        Append(key);
        Append(value);
        _count++;
    }

    /// <summary>Writes the trailer and flushes; the archive is complete after this.</summary>
    public void Finish()
    {
        Span<byte> tail = stackalloc byte[1 + sizeof(ulong)];
        tail[0] = BackendArchive.EndMarker;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[1..], _count);
        Append(tail);
        Span<byte> crc = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, _crc);
        // The checksum does not cover itself, so it bypasses Append.
        Flush();
        _destination.Write(crc);
        _destination.Flush();
    }

    public void Dispose()
    {
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _crc = Crc32C.Append(_crc, bytes);
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                // Large values skip the buffer rather than growing it.
                _destination.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    private void Flush()
    {
        _destination.Write(_buffer, 0, _used);
        _used = 0;
    }
}
