using Microsoft.Win32.SafeHandles;

namespace Etcd.Storage.Wal;

/// <summary>
/// Reads the records of one segment in order, verifying the checksum chain.
/// <para>
/// Where reading stops, and why: a zero header is the end of the records (unused preallocated
/// space). A record that is cut short by the end of the file, or that fails its checks and
/// overlaps an all-zero 512-byte sector, is a torn write: power failed or the process died
/// while it was being written, before the fsync that would have acknowledged it. Disks write
/// whole sectors, so a torn write leaves zero sectors where its data never arrived; without one,
/// a bad checksum is damage to data that was written. A torn write ends the log only in the last
/// segment; anywhere else it, like any other damage, is a <see cref="WalCorruptException"/>.
/// </para>
/// </summary>
internal sealed class SegmentReader : IDisposable
{
    private const int SectorSize = 512;

    private readonly string _path;
    private readonly bool _isLast;
    private readonly SafeFileHandle _handle;
    private readonly FileStream _stream;
    private readonly long _length;
    private long _offset;
    private uint _crc;

    public SegmentReader(string path, bool isLast)
    {
        _path = path;
        _isLast = isLast;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _stream = new FileStream(_handle, FileAccess.Read, bufferSize: 64 * 1024);
        _length = RandomAccess.GetLength(_handle);
    }

    /// <summary>Offset just past the last good record: where appending continues.</summary>
    public long ValidEnd => _offset;

    /// <summary>Checksum of the last good record (0 before the first): the chain appending continues.</summary>
    public uint Crc => _crc;

    /// <summary>Reading stopped at a torn write rather than at clean unused space.</summary>
    public bool TornTail { get; private set; }

    /// <summary>The next record, or false at the end of the records (clean or torn).</summary>
    public bool TryRead(out WalRecord record)
    {
        record = default;
        long start = _offset;
        if (start >= _length)
        {
            return false;
        }
        if (start + WalFrame.HeaderSize > _length)
        {
            return Stop(start, start + WalFrame.HeaderSize, "partial record header");
        }

        Span<byte> header = stackalloc byte[WalFrame.HeaderSize];
        _stream.Position = start;
        _stream.ReadExactly(header);
        if (!header.ContainsAnyExcept((byte)0))
        {
            return false;
        }
        if (!WalFrame.IsWellFormed(header))
        {
            return Stop(start, start + WalFrame.HeaderSize, "malformed record header");
        }
        uint length = WalFrame.DataLength(header);
        long dataEnd = start + WalFrame.HeaderSize + length;
        if (length > WalFrame.MaxDataLength || dataEnd > _length)
        {
            return Stop(start, dataEnd, $"record of {length} bytes runs past the end of the file");
        }

        byte[] data = length == 0 ? [] : new byte[length];
        _stream.ReadExactly(data);
        uint crc = WalFrame.ComputeCrc(header, data, _crc);
        if (crc != WalFrame.StoredCrc(header))
        {
            return Stop(start, dataEnd, "checksum mismatch");
        }

        _crc = crc;
        // Padding missing at the end of a truncated file is harmless: the record itself is whole.
        _offset = start + WalFrame.FrameSize(length);
        record = new WalRecord(WalFrame.Type(header), WalFrame.Index(header), data);
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _handle.Dispose();
    }

    /// <summary>Ends reading at a bad record if it is a torn tail; throws if it is damage.</summary>
    private bool Stop(long start, long declaredEnd, string problem)
    {
        if (_isLast && (declaredEnd > _length || OverlapsZeroSector(start, declaredEnd)))
        {
            TornTail = true;
            return false;
        }
        throw new WalCorruptException($"wal: {problem} at offset {start} of {_path}");
    }

    private bool OverlapsZeroSector(long start, long end)
    {
        Span<byte> sector = stackalloc byte[SectorSize];
        for (long at = start - (start % SectorSize); at < end && at < _length; at += SectorSize)
        {
            int read = RandomAccess.Read(_handle, sector, at);
            if (!sector[..read].ContainsAnyExcept((byte)0))
            {
                return true;
            }
        }
        return false;
    }
}
