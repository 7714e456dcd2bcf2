using System.Buffers.Binary;

namespace Etcd.Storage.Wal;

/// <summary>
/// Folds the records read from the segments into <see cref="WalContents"/>, applying etcd's
/// rules: metadata must agree everywhere, the snapshot's marker must be found with its term,
/// entries after the snapshot form a gapless log where a rewritten index replaces the suffix.
/// </summary>
internal sealed class WalRecovery(WalSnapshot from)
{
    private readonly List<WalEntry> _entries = [];
    private byte[]? _metadata;
    private byte[]? _state;
    private bool _snapshotFound;
    private uint? _previousSegmentCrc;

    /// <summary>Index of the last entry read, or of a snapshot marker above it.</summary>
    public ulong LastIndex { get; private set; }

    public void ReadSegment(SegmentReader reader, string path, bool isFirstRead)
    {
        if (!reader.TryRead(out WalRecord link) || link.Type != WalRecordType.Crc || link.Data.Length != sizeof(uint))
        {
            throw new WalCorruptException($"wal: {path} does not start with its checksum link");
        }
        uint linked = BinaryPrimitives.ReadUInt32LittleEndian(link.Data);
        // The first segment read may start mid-log, where the previous chain value is unknown.
        if (!isFirstRead && linked != _previousSegmentCrc)
        {
            throw new WalCorruptException($"wal: {path} does not continue the segment before it (checksum link mismatch)");
        }

        while (reader.TryRead(out WalRecord record))
        {
            switch (record.Type)
            {
                case WalRecordType.Metadata:
                    if (_metadata is not null && !_metadata.AsSpan().SequenceEqual(record.Data))
                    {
                        throw new WalCorruptException($"wal: conflicting metadata in {path}");
                    }
                    _metadata = record.Data;
                    break;
                case WalRecordType.State:
                    _state = record.Data;
                    break;
                case WalRecordType.Snapshot:
                    ReadSnapshotMarker(Wal.DecodeSnapshotMarker(record.Data, path), path);
                    break;
                case WalRecordType.Entry:
                    ReadEntry(record, path);
                    break;
                default:
                    throw new WalCorruptException($"wal: unexpected {record.Type} record in {path}");
            }
        }
        _previousSegmentCrc = reader.Crc;
    }

    public WalContents Finish(string directory)
    {
        if (_metadata is null)
        {
            throw new WalCorruptException($"wal: no metadata in {directory}");
        }
        if (!_snapshotFound)
        {
            throw new WalSnapshotNotFoundException(
                $"wal: no snapshot marker at index {from.Index} term {from.Term} in {directory}");
        }
        return new WalContents(_metadata, _state, _entries);
    }

    private void ReadSnapshotMarker(WalSnapshot marker, string path)
    {
        if (marker.Index == from.Index)
        {
            if (marker.Term != from.Term)
            {
                throw new WalSnapshotNotFoundException(
                    $"wal: snapshot marker at index {marker.Index} has term {marker.Term}, expected {from.Term} ({path})");
            }
            _snapshotFound = true;
        }
        LastIndex = Math.Max(LastIndex, marker.Index);
    }

    private void ReadEntry(WalRecord record, string path)
    {
        LastIndex = record.Index;
        if (record.Index <= from.Index)
        {
            // An entry at or below the snapshot comes before everything kept, so every entry read
            // so far lies above it: a rewrite there (a new leader's entry that the snapshot then
            // covered) supersedes them all. etcd's reader keeps them, handing Raft a stale suffix
            // whose older terms follow the snapshot's.
            _entries.Clear();
            return;
        }
        // Entry i belongs at position i - from.Index - 1; one further than the end is a gap.
        ulong position = record.Index - from.Index - 1;
        if (position > (ulong)_entries.Count)
        {
            throw new WalCorruptException(
                $"wal: entry {record.Index} in {path} follows entry {from.Index + (ulong)_entries.Count}: entries are missing");
        }
        _entries.RemoveRange((int)position, _entries.Count - (int)position);
        _entries.Add(new WalEntry(record.Index, record.Data));
    }
}
