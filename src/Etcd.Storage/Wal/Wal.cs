using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Etcd.Storage.Durability;
using Microsoft.Win32.SafeHandles;

namespace Etcd.Storage.Wal;

/// <summary>
/// The write-ahead log: what the server must not lose (Raft entries, hard state, snapshot
/// markers), in checksummed, chained records across preallocated segment files, with etcd's
/// safety rules and our own layout (see <see cref="WalFrame"/>, <see cref="WalSegmentName"/>).
/// <para>
/// Life cycle: <see cref="Create"/> a new log, or <see cref="Open"/> an existing one and call
/// <see cref="ReadAll"/> once, which recovers its contents and repairs a torn tail; then append.
/// Appends are buffered; nothing is durable until <see cref="Sync"/> returns, and the server
/// must not acknowledge or send what it appended before then. One buffered write and one
/// fdatasync per Sync, however many records the batch holds.
/// </para>
/// Methods are serialized by a lock; the log is meant to be driven from one loop.
/// </summary>
public sealed class Wal : IDisposable
{
    private const int SnapshotMarkerSize = 2 * sizeof(ulong);

    private readonly Lock _gate = new();
    private readonly WalOptions _options;
    private readonly List<WalSegmentName> _segments;
    private readonly FileStream _directoryLock;
    private string _directory;
    private WalSnapshot _readFrom;
    private bool _writable;
    private bool _disposed;

    private SafeFileHandle? _tail;
    private long _tailOffset;
    private bool _tailDirty;
    private uint _crc;
    private ulong _lastIndex;
    private byte[] _metadata = [];
    private byte[]? _state;
    private byte[] _buffer;
    private int _buffered;

    private Wal(string directory, FileStream directoryLock, List<WalSegmentName> segments, WalOptions options)
    {
        _directory = directory;
        _directoryLock = directoryLock;
        _segments = segments;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    /// <summary>Index of the last entry appended or read (or of the newest snapshot marker, if higher).</summary>
    public ulong LastIndex
    {
        get
        {
            lock (_gate)
            {
                return _lastIndex;
            }
        }
    }

    /// <summary>The directory the log lives in.</summary>
    public string Directory => _directory;

    internal IReadOnlyList<WalSegmentName> Segments => _segments;

    /// <summary>Where the next record goes in the live segment, counting what is still buffered.</summary>
    internal long TailOffset => _tailOffset + _buffered;

    /// <summary>
    /// Creates a log in <paramref name="directory"/>, which must be missing or empty, holding
    /// <paramref name="metadata"/> and a snapshot marker at (0, 0). It is built in a sibling
    /// directory and renamed into place, so a crash leaves either no log or a whole one.
    /// The returned log is ready to append.
    /// </summary>
    public static Wal Create(string directory, ReadOnlySpan<byte> metadata, WalOptions? options = null)
    {
        options ??= new WalOptions();
        directory = Path.GetFullPath(directory);
        if (System.IO.Directory.Exists(directory))
        {
            if (System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new WalExistsException($"wal: {directory} already exists and is not empty");
            }
            System.IO.Directory.Delete(directory);
        }
        string parent = Path.GetDirectoryName(directory)!;
        System.IO.Directory.CreateDirectory(parent);
        string staging = directory + WalDirectory.TemporarySuffix;
        if (System.IO.Directory.Exists(staging))
        {
            System.IO.Directory.Delete(staging, recursive: true);
        }
        System.IO.Directory.CreateDirectory(staging);

        var first = new WalSegmentName(0, 0);
        var wal = new Wal(staging, WalDirectory.Lock(staging), [first], options);
        try
        {
            wal._metadata = metadata.ToArray();
            wal._tail = CreateSegmentFile(Path.Combine(staging, first.FileName), options.SegmentSizeBytes);
            wal.EncodeSegmentHeader(previousCrc: 0);
            wal.Encode(WalRecordType.Snapshot, 0, EncodeSnapshotMarker(default));
            wal.SyncLocked();
            DirectorySync.Flush(staging);
            System.IO.Directory.Move(staging, directory);
            DirectorySync.Flush(parent);
            wal._directory = directory;
            wal._writable = true;
            return wal;
        }
        catch
        {
            wal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the log in <paramref name="directory"/> to recover it from <paramref name="snapshot"/>
    /// (the newest snapshot the server has; default for none). Takes the directory's lock
    /// (<see cref="WalLockedException"/> if held). Call <see cref="ReadAll"/> next.
    /// </summary>
    public static Wal Open(string directory, WalSnapshot snapshot, WalOptions? options = null)
    {
        options ??= new WalOptions();
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new WalException($"wal: {directory} does not exist");
        }
        var directoryLock = WalDirectory.Lock(directory);
        try
        {
            WalDirectory.RemoveTemporaryFiles(directory);
            var segments = WalDirectory.ListSegments(directory);
            if (segments.Count == 0)
            {
                throw new WalException($"wal: no segments in {directory}");
            }
            return new Wal(directory, directoryLock, segments, options) { _readFrom = snapshot };
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every snapshot marker in the log in <paramref name="directory"/> (etcd's
    /// ValidSnapshotEntries). A snapshot file may be recovered from only when the log has its
    /// marker: one saved just before a crash, whose marker never reached the log, is passed over
    /// for the newest one that did.
    /// </summary>
    public static IReadOnlySet<WalSnapshot> SnapshotMarkers(string directory)
    {
        directory = Path.GetFullPath(directory);
        var markers = new HashSet<WalSnapshot>();
        var segments = WalDirectory.ListSegments(directory);
        for (int i = 0; i < segments.Count; i++)
        {
            string path = Path.Combine(directory, segments[i].FileName);
            using var reader = new SegmentReader(path, isLast: i == segments.Count - 1);
            while (reader.TryRead(out WalRecord record))
            {
                if (record.Type == WalRecordType.Snapshot)
                {
                    markers.Add(DecodeSnapshotMarker(record.Data, path));
                }
            }
        }
        return markers;
    }

    /// <summary>
    /// Reads the log from the snapshot given to <see cref="Open"/> to its end, repairs a torn tail
    /// (truncates it and zeroes the rest of the segment) and readies the log for appending.
    /// Throws <see cref="WalSnapshotNotFoundException"/> when no marker has the snapshot's index
    /// and term (the snapshot and the log disagree), <see cref="WalCorruptException"/> for damage.
    /// </summary>
    public WalContents ReadAll()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writable)
            {
                throw new InvalidOperationException("wal: ReadAll is called once, after Open");
            }
            int first = WalDirectory.SegmentFor(_segments, _readFrom.Index);
            if (first < 0)
            {
                throw new WalSnapshotNotFoundException(
                    $"wal: no segment in {_directory} reaches back to snapshot index {_readFrom.Index}");
            }

            var recovery = new WalRecovery(_readFrom);
            long validEnd = 0;
            for (int i = first; i < _segments.Count; i++)
            {
                string path = SegmentPath(_segments[i]);
                using var reader = new SegmentReader(path, isLast: i == _segments.Count - 1);
                recovery.ReadSegment(reader, path, isFirstRead: i == first);
                validEnd = reader.ValidEnd;
                _crc = reader.Crc;
            }
            WalContents contents = recovery.Finish(_directory);

            _metadata = contents.Metadata;
            _state = contents.State;
            _lastIndex = recovery.LastIndex;
            _tail = File.OpenHandle(SegmentPath(_segments[^1]), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            // Whatever follows the last good record was never acknowledged: zero it, or new records
            // written over part of it would be followed by stale bytes a later read trips on.
            RandomAccess.SetLength(_tail, validEnd);
            FilePreallocation.Extend(_tail, _options.SegmentSizeBytes);
            FlushTail();
            _tailOffset = validEnd;
            _writable = true;
            return contents;
        }
    }

    /// <summary>Appends a log entry; <paramref name="index"/> is its Raft index (never 0).</summary>
    public void AppendEntry(ulong index, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfZero(index);
        lock (_gate)
        {
            EnsureWritable();
            Encode(WalRecordType.Entry, index, data);
            _lastIndex = index;
            CutIfFull();
        }
    }

    /// <summary>Appends the caller's state (Raft hard state). The last one saved is what <see cref="ReadAll"/> returns.</summary>
    public void SaveState(ReadOnlySpan<byte> state)
    {
        lock (_gate)
        {
            EnsureWritable();
            Encode(WalRecordType.State, 0, state);
            // Kept to repeat at the head of each new segment, so releasing old segments never loses it.
            _state = state.ToArray();
            CutIfFull();
        }
    }

    /// <summary>
    /// Records that a snapshot at <paramref name="snapshot"/> exists, so a later <see cref="Open"/>
    /// can start from it. etcd's order: save the snapshot file, append this marker, Sync, and only
    /// then <see cref="ReleaseTo"/>.
    /// </summary>
    public void AppendSnapshotMarker(WalSnapshot snapshot)
    {
        lock (_gate)
        {
            EnsureWritable();
            Encode(WalRecordType.Snapshot, 0, EncodeSnapshotMarker(snapshot));
            _lastIndex = Math.Max(_lastIndex, snapshot.Index);
            CutIfFull();
        }
    }

    /// <summary>Writes what is buffered and fdatasyncs it: on return every appended record is durable.</summary>
    public void Sync()
    {
        lock (_gate)
        {
            EnsureWritable();
            SyncLocked();
        }
    }

    /// <summary>
    /// Deletes the segments no longer needed once a snapshot at <paramref name="index"/> is
    /// durable: all before the last segment started below <paramref name="index"/> (etcd's rule,
    /// which keeps the segment that may still hold entries up to it). The live segment stays.
    /// </summary>
    public void ReleaseTo(ulong index)
    {
        lock (_gate)
        {
            EnsureWritable();
            int keepFrom = _segments.Count - 1;
            for (int i = 0; i < _segments.Count; i++)
            {
                if (_segments[i].FirstIndex >= index)
                {
                    keepFrom = i - 1;
                    break;
                }
            }
            if (keepFrom <= 0)
            {
                return;
            }
            // Oldest first, so a crash midway leaves consecutive sequence numbers.
            for (int i = 0; i < keepFrom; i++)
            {
                File.Delete(SegmentPath(_segments[i]));
            }
            DirectorySync.Flush(_directory);
            _segments.RemoveRange(0, keepFrom);
        }
    }

    /// <summary>Syncs what was appended, then closes the files and releases the directory lock.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            try
            {
                if (_writable && _tail is not null)
                {
                    SyncLocked();
                }
            }
            finally
            {
                _tail?.Dispose();
                _directoryLock.Dispose();
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }
    }

    private static byte[] EncodeSnapshotMarker(WalSnapshot snapshot)
    {
        var data = new byte[SnapshotMarkerSize];
        BinaryPrimitives.WriteUInt64LittleEndian(data, snapshot.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(sizeof(ulong)), snapshot.Term);
        return data;
    }

    internal static WalSnapshot DecodeSnapshotMarker(ReadOnlySpan<byte> data, string where)
    {
        if (data.Length != SnapshotMarkerSize)
        {
            throw new WalCorruptException($"wal: snapshot marker of {data.Length} bytes in {where}");
        }
        return new WalSnapshot(BinaryPrimitives.ReadUInt64LittleEndian(data), BinaryPrimitives.ReadUInt64LittleEndian(data[sizeof(ulong)..]));
    }

    private static SafeFileHandle CreateSegmentFile(string path, long size)
    {
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            FilePreallocation.Extend(handle, size);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private string SegmentPath(WalSegmentName name) => Path.Combine(_directory, name.FileName);

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_writable)
        {
            throw new InvalidOperationException("wal: call ReadAll before appending to an opened log");
        }
    }

    /// <summary>The records every segment starts with: the chain link to the previous segment, metadata, state.</summary>
    private void EncodeSegmentHeader(uint previousCrc)
    {
        Span<byte> link = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(link, previousCrc);
        Encode(WalRecordType.Crc, 0, link);
        Encode(WalRecordType.Metadata, 0, _metadata);
        if (_state is not null)
        {
            Encode(WalRecordType.State, 0, _state);
        }
    }

    private void Encode(WalRecordType type, ulong index, ReadOnlySpan<byte> data)
    {
        if (data.Length > WalFrame.MaxDataLength)
        {
            throw new ArgumentException($"wal: record of {data.Length} bytes is too large", nameof(data));
        }
        int frameSize = (int)WalFrame.FrameSize(data.Length);
        if (_buffered > 0 && _buffered + frameSize > _options.WriteBufferBytes)
        {
            WriteBuffered();
        }
        if (_buffered + frameSize > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffered + frameSize);
            _buffer.AsSpan(0, _buffered).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        _crc = WalFrame.Encode(_buffer.AsSpan(_buffered), type, index, data, _crc);
        _buffered += frameSize;
    }

    private void WriteBuffered()
    {
        if (_buffered == 0)
        {
            return;
        }
        RandomAccess.Write(_tail!, _buffer.AsSpan(0, _buffered), _tailOffset);
        _tailOffset += _buffered;
        _buffered = 0;
        _tailDirty = true;
    }

    private void SyncLocked()
    {
        WriteBuffered();
        if (!_tailDirty)
        {
            return;
        }
        long started = Stopwatch.GetTimestamp();
        FlushTail();
        _tailDirty = false;
        _options.SyncObserved?.Invoke(Stopwatch.GetElapsedTime(started));
    }

    private void FlushTail()
    {
        if (!_options.UnsafeNoFsync)
        {
            FileSync.Flush(_tail!);
        }
    }

    /// <summary>
    /// Starts a new segment once the current one reached its size (etcd's cut). The full segment
    /// is trimmed to its records and synced; the new one is built under a temporary name, synced
    /// and renamed into place, so a segment name never refers to a file without its header.
    /// </summary>
    private void CutIfFull()
    {
        if (_tailOffset + _buffered < _options.SegmentSizeBytes)
        {
            return;
        }
        WriteBuffered();
        RandomAccess.SetLength(_tail!, _tailOffset);
        FlushTail();
        _tailDirty = false;

        var name = new WalSegmentName(_segments[^1].Sequence + 1, _lastIndex + 1);
        string path = SegmentPath(name);
        string staging = path + WalDirectory.TemporarySuffix;
        var next = CreateSegmentFile(staging, _options.SegmentSizeBytes);
        _tail!.Dispose();
        _tail = next;
        _tailOffset = 0;
        uint previousCrc = _crc;
        _crc = 0;
        EncodeSegmentHeader(previousCrc);
        SyncLocked();
        File.Move(staging, path);
        DirectorySync.Flush(_directory);
        _segments.Add(name);
    }
}
