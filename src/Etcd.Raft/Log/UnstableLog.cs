using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Log;

/// <summary>
/// Entries (and possibly an incoming snapshot) not yet persisted by the application. Entry i lives
/// at index Offset + i. Once persisted (StableTo) they are dropped from here and read from storage.
/// </summary>
/// <remarks>
/// Views handed out (to a Ready or a message) are never overwritten: appends only write past the
/// last slot ever used, and truncation copies into a fresh array.
/// </remarks>
internal sealed class UnstableLog
{
    private const int MinCapacity = 16;

    // Bounded so a burst does not pin a huge array forever; past it, a new array per burst.
    private const int MaxRetainedCapacity = 4096;

    private Entry[] _buffer = [];
    private int _start;
    private int _count;

    public UnstableLog(ulong offset) => Offset = offset;

    /// <summary>A snapshot received from the leader and not yet persisted.</summary>
    public Snapshot? Snapshot { get; private set; }

    /// <summary>Index of the first unstable entry.</summary>
    public ulong Offset { get; private set; }

    public int Count => _count;

    public ArraySegment<Entry> Entries => new(_buffer, _start, _count);

    public bool TryGetFirstIndex(out ulong index)
    {
        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index + 1;
            return true;
        }

        index = 0;
        return false;
    }

    public bool TryGetLastIndex(out ulong index)
    {
        if (_count > 0)
        {
            index = Offset + (ulong)_count - 1;
            return true;
        }

        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index;
            return true;
        }

        index = 0;
        return false;
    }

    public bool TryGetTerm(ulong index, out ulong term)
    {
        if (index < Offset)
        {
            if (Snapshot is not null && Snapshot.Metadata.Index == index)
            {
                term = Snapshot.Metadata.Term;
                return true;
            }

            term = 0;
            return false;
        }

        if (index - Offset >= (ulong)_count)
        {
            term = 0;
            return false;
        }

        term = _buffer[_start + (int)(index - Offset)].Term;
        return true;
    }

    /// <summary>
    /// The application persisted entries up to <paramref name="index"/> (whose term was
    /// <paramref name="term"/>). Ignored if the entry was since replaced by one of another term, as
    /// the persisted one is then no longer ours.
    /// </summary>
    public void StableTo(ulong index, ulong term)
    {
        if (!TryGetTerm(index, out ulong current))
        {
            return;
        }

        if (current == term && index >= Offset)
        {
            int drop = (int)(index + 1 - Offset);
            _start += drop;
            _count -= drop;
            Offset = index + 1;
        }
    }

    public void StableSnapshotTo(ulong index)
    {
        if (Snapshot is not null && Snapshot.Metadata.Index == index)
        {
            Snapshot = null;
        }
    }

    public void Restore(Snapshot snapshot)
    {
        Offset = snapshot.Metadata.Index + 1;
        _buffer = [];
        _start = 0;
        _count = 0;
        Snapshot = snapshot;
    }

    public void Append(Entry entry)
    {
        ulong index = entry.Index;
        if (index != Offset + (ulong)_count)
        {
            TruncateAndAppend(new ReadOnlySpan<Entry>(ref entry));
            return;
        }

        EnsureRoomFor(1);
        _buffer[_start + _count] = entry;
        _count++;
    }

    /// <summary>Appends <paramref name="entries"/>, first discarding any unstable entries at or after the first one.</summary>
    public void TruncateAndAppend(ReadOnlySpan<Entry> entries)
    {
        ulong after = entries[0].Index;
        if (after == Offset + (ulong)_count)
        {
            EnsureRoomFor(entries.Length);
            entries.CopyTo(_buffer.AsSpan(_start + _count));
            _count += entries.Length;
            return;
        }

        if (after <= Offset)
        {
            // Replaces everything unstable (and possibly part of what is stable).
            Offset = after;
            _buffer = new Entry[Math.Max(MinCapacity, entries.Length * 2)];
            _start = 0;
            entries.CopyTo(_buffer);
            _count = entries.Length;
            return;
        }

        // Keeps [Offset, after) and replaces the rest.
        int keep = (int)(after - Offset);
        var buffer = new Entry[Math.Max(MinCapacity, (keep + entries.Length) * 2)];
        Array.Copy(_buffer, _start, buffer, 0, keep);
        entries.CopyTo(buffer.AsSpan(keep));
        _buffer = buffer;
        _start = 0;
        _count = keep + entries.Length;
    }

    /// <summary>Entries in [lo, hi), which must lie within the unstable range.</summary>
    public ArraySegment<Entry> Slice(ulong lo, ulong hi)
    {
        if (lo > hi || lo < Offset || hi > Offset + (ulong)_count)
        {
            throw new InvalidOperationException($"unstable.slice[{lo},{hi}) out of bound [{Offset},{Offset + (ulong)_count}]");
        }

        return new ArraySegment<Entry>(_buffer, _start + (int)(lo - Offset), (int)(hi - lo));
    }

    private void EnsureRoomFor(int more)
    {
        if (_start + _count + more <= _buffer.Length)
        {
            return;
        }

        int size = Math.Max(Math.Max(MinCapacity, (_count + more) * 2), Math.Min(_buffer.Length, MaxRetainedCapacity));
        var buffer = new Entry[size];
        Array.Copy(_buffer, _start, buffer, 0, _count);
        _buffer = buffer;
        _start = 0;
    }
}
