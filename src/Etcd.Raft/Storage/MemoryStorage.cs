using Etcd.Raft.Log;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>
/// An <see cref="IRaftStorage"/> kept in memory. The application writes to it while handling each
/// Ready (it usually sits in front of a write-ahead log that provides the actual durability).
/// Thread-safe: the node loop writes while other threads may read status.
/// </summary>
/// <remarks>
/// Slices handed out by <see cref="Entries"/> are views of the internal array. They stay valid because
/// a slot, once it may have been handed out, is never written again: appends write past the end,
/// and truncation and compaction build a new array.
/// </remarks>
public sealed class MemoryStorage : IRaftStorage
{
    private readonly Lock _lock = new();
    private HardState _hardState = new();
    private Snapshot _snapshot = NewSnapshot(0, 0, new ConfState(), Google.Protobuf.ByteString.Empty);

    // _entries[0] is a placeholder holding the index and term of the snapshot (0/0 initially), so the
    // term of FirstIndex()-1 is always known. _entries[i] has index _entries[0].Index + i.
    private Entry[] _entries = [new Entry { Index = 0, Term = 0 }];
    private int _count = 1;

    public (HardState HardState, ConfState ConfState) InitialState()
    {
        lock (_lock)
        {
            return (_hardState, _snapshot.Metadata.ConfState);
        }
    }

    public void SetHardState(HardState hardState)
    {
        ArgumentNullException.ThrowIfNull(hardState);
        lock (_lock)
        {
            _hardState = hardState;
        }
    }

    public IReadOnlyList<Entry> Entries(ulong lo, ulong hi, ulong maxSize)
    {
        lock (_lock)
        {
            ulong offset = _entries[0].Index;
            if (lo <= offset)
            {
                throw new RaftStorageException(StorageError.Compacted);
            }

            if (hi > LastIndexLocked() + 1)
            {
                throw new ArgumentOutOfRangeException(nameof(hi), $"entries' hi({hi}) is out of bound lastindex({LastIndexLocked()})");
            }

            if (_count == 1)
            {
                throw new RaftStorageException(StorageError.Unavailable);
            }

            int start = (int)(lo - offset);
            var span = new ReadOnlySpan<Entry>(_entries, start, (int)(hi - lo));
            return new ArraySegment<Entry>(_entries, start, EntrySize.CountWithin(span, maxSize));
        }
    }

    public ulong Term(ulong index)
    {
        lock (_lock)
        {
            ulong offset = _entries[0].Index;
            if (index < offset)
            {
                throw new RaftStorageException(StorageError.Compacted);
            }

            if (index - offset >= (ulong)_count)
            {
                throw new RaftStorageException(StorageError.Unavailable);
            }

            return _entries[index - offset].Term;
        }
    }

    public ulong LastIndex()
    {
        lock (_lock)
        {
            return LastIndexLocked();
        }
    }

    public ulong FirstIndex()
    {
        lock (_lock)
        {
            return _entries[0].Index + 1;
        }
    }

    public Snapshot Snapshot()
    {
        lock (_lock)
        {
            return _snapshot;
        }
    }

    /// <summary>Replaces the whole log with <paramref name="snapshot"/> (a follower installing one).</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_lock)
        {
            ulong index = snapshot.Metadata?.Index ?? 0;
            if (_snapshot.Metadata.Index >= index)
            {
                throw new RaftStorageException(StorageError.SnapshotOutOfDate);
            }

            // proto2: a snapshot from the wire may lack the membership; treat it as empty.
            snapshot.Metadata!.ConfState ??= new ConfState();
            _snapshot = snapshot;
            _entries = [new Entry { Index = index, Term = snapshot.Metadata.Term }];
            _count = 1;
        }
    }

    /// <summary>
    /// Records a snapshot of the application state as of <paramref name="index"/> (which must be
    /// applied, hence in the log). Does not discard entries: call <see cref="Compact"/> for that.
    /// </summary>
    public Snapshot CreateSnapshot(ulong index, ConfState? confState, Google.Protobuf.ByteString data)
    {
        lock (_lock)
        {
            if (index <= _snapshot.Metadata.Index)
            {
                throw new RaftStorageException(StorageError.SnapshotOutOfDate);
            }

            if (index > LastIndexLocked())
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"snapshot {index} is out of bound lastindex({LastIndexLocked()})");
            }

            ulong term = _entries[index - _entries[0].Index].Term;
            _snapshot = NewSnapshot(index, term, confState ?? _snapshot.Metadata.ConfState, data);
            return _snapshot;
        }
    }

    /// <summary>
    /// Discards the entries up to and including <paramref name="compactIndex"/>, remembering only the
    /// term of the last one (for log matching). Must not pass the applied index.
    /// </summary>
    public void Compact(ulong compactIndex)
    {
        lock (_lock)
        {
            ulong offset = _entries[0].Index;
            if (compactIndex <= offset)
            {
                throw new RaftStorageException(StorageError.Compacted);
            }

            if (compactIndex > LastIndexLocked())
            {
                throw new ArgumentOutOfRangeException(nameof(compactIndex), $"compact {compactIndex} is out of bound lastindex({LastIndexLocked()})");
            }

            int i = (int)(compactIndex - offset);
            int remaining = _count - i;
            var entries = new Entry[Math.Max(remaining, 16)];
            entries[0] = new Entry { Index = _entries[i].Index, Term = _entries[i].Term };
            Array.Copy(_entries, i + 1, entries, 1, remaining - 1);
            _entries = entries;
            _count = remaining;
        }
    }

    /// <summary>
    /// Appends entries (persisted from a Ready), replacing any existing suffix they conflict with.
    /// Entries already covered by the snapshot are ignored.
    /// </summary>
    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            ulong first = _entries[0].Index + 1;
            ulong last = entries[0].Index + (ulong)entries.Count - 1;
            if (last < first)
            {
                return;
            }

            // Skip the part already covered by the snapshot.
            int skip = first > entries[0].Index ? (int)(first - entries[0].Index) : 0;
            ulong appendAt = entries[skip].Index - _entries[0].Index;
            if (appendAt > (ulong)_count)
            {
                throw new InvalidOperationException($"missing log entry [last: {LastIndexLocked()}, append at: {entries[skip].Index}]");
            }

            int keep = (int)appendAt;
            int added = entries.Count - skip;
            if (keep < _count)
            {
                // Overwriting a suffix: build a new array so earlier views stay intact.
                var replaced = new Entry[Math.Max(16, (keep + added) * 2)];
                Array.Copy(_entries, replaced, keep);
                _entries = replaced;
            }
            else if (keep + added > _entries.Length)
            {
                Array.Resize(ref _entries, Math.Max(keep + added, _entries.Length * 2));
            }

            for (int j = 0; j < added; j++)
            {
                _entries[keep + j] = entries[skip + j];
            }

            _count = keep + added;
        }
    }

    private ulong LastIndexLocked() => _entries[0].Index + (ulong)_count - 1;

    private static Snapshot NewSnapshot(ulong index, ulong term, ConfState confState, Google.Protobuf.ByteString data) => new()
    {
        Data = data,
        Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = confState },
    };
}
