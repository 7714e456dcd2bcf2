using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Log;

/// <summary>
/// The whole log as Raft sees it: the persisted part in <see cref="IRaftStorage"/> followed by the
/// unstable tail, plus the commit and applied cursors. Invariant: applied ≤ committed ≤ last index.
/// </summary>
internal sealed class RaftLog
{
    private readonly IRaftStorage _storage;
    private readonly IRaftLogger? _logger;
    private readonly ulong _maxCommittedSizePerReady;

    public RaftLog(IRaftStorage storage, IRaftLogger? logger, ulong maxCommittedSizePerReady)
    {
        _storage = storage;
        _logger = logger;
        _maxCommittedSizePerReady = maxCommittedSizePerReady;
        ulong firstIndex = storage.FirstIndex();
        ulong lastIndex = storage.LastIndex();
        Unstable = new UnstableLog(lastIndex + 1);

        // Everything up to the snapshot is committed and applied by definition.
        Committed = firstIndex - 1;
        Applied = firstIndex - 1;
    }

    public UnstableLog Unstable { get; }

    public IRaftStorage Storage => _storage;

    /// <summary>Highest index known to be stored on a quorum.</summary>
    public ulong Committed { get; set; }

    /// <summary>Highest index the application has applied (as reported through Advance).</summary>
    public ulong Applied { get; private set; }

    public ulong FirstIndex => Unstable.TryGetFirstIndex(out ulong index) ? index : _storage.FirstIndex();

    public ulong LastIndex => Unstable.TryGetLastIndex(out ulong index) ? index : _storage.LastIndex();

    public ulong LastTerm => TryGetTerm(LastIndex, out ulong term)
        ? term
        : throw new InvalidOperationException("unexpected error when getting the last term");

    /// <summary>
    /// Appends a leader's entries that follow (index, logTerm), if our log matches there; entries
    /// that conflict with ours replace our suffix. Returns false when the log does not match.
    /// </summary>
    public bool TryAppend(ulong index, ulong logTerm, ulong committed, IReadOnlyList<Entry> entries, out ulong lastNewIndex)
    {
        if (!MatchTerm(index, logTerm))
        {
            lastNewIndex = 0;
            return false;
        }

        lastNewIndex = index + (ulong)entries.Count;
        ulong conflict = FindConflict(entries);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                throw new InvalidOperationException($"entry {conflict} conflict with committed entry [committed({Committed})]");
            }

            int from = (int)(conflict - (index + 1));
            AppendRange(entries, from);
        }

        CommitTo(Math.Min(committed, lastNewIndex));
        return true;
    }

    /// <summary>Appends one entry (a leader's own proposal) and returns the new last index.</summary>
    public ulong Append(Entry entry)
    {
        if (entry.Index - 1 < Committed)
        {
            throw new InvalidOperationException($"after({entry.Index - 1}) is out of range [committed({Committed})]");
        }

        Unstable.Append(entry);
        return LastIndex;
    }

    public ulong AppendRange(IReadOnlyList<Entry> entries, int from)
    {
        int count = entries.Count - from;
        if (count <= 0)
        {
            return LastIndex;
        }

        if (entries[from].Index - 1 < Committed)
        {
            throw new InvalidOperationException($"after({entries[from].Index - 1}) is out of range [committed({Committed})]");
        }

        if (count == 1)
        {
            Unstable.Append(entries[from]);
        }
        else
        {
            var buffer = new Entry[count];
            for (int i = 0; i < count; i++)
            {
                buffer[i] = entries[from + i];
            }

            Unstable.TruncateAndAppend(buffer);
        }

        return LastIndex;
    }

    /// <summary>
    /// The index of the first entry whose term differs from ours (a conflict, or simply new), or 0 if
    /// all of them are already in the log.
    /// </summary>
    public ulong FindConflict(IReadOnlyList<Entry> entries)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!MatchTerm(entry.Index, entry.Term))
            {
                if (entry.Index <= LastIndex)
                {
                    _logger?.Info($"found conflict at index {entry.Index} [existing term: {TermOrZero(entry.Index)}, conflicting term: {entry.Term}]");
                }

                return entry.Index;
            }
        }

        return 0;
    }

    /// <summary>Committed entries the application has not yet been given, cut to the Ready size budget.</summary>
    public IReadOnlyList<Entry> NextCommittedEntries()
    {
        ulong from = Math.Max(Applied + 1, FirstIndex);
        if (Committed + 1 <= from)
        {
            return [];
        }

        return TrySlice(from, Committed + 1, _maxCommittedSizePerReady, out var entries)
            ? entries
            : throw new InvalidOperationException("unexpected error when getting unapplied entries (compacted)");
    }

    public bool HasNextCommittedEntries => Committed + 1 > Math.Max(Applied + 1, FirstIndex);

    /// <summary>The snapshot to send a follower that is too far behind; may throw while temporarily unavailable.</summary>
    public Snapshot Snapshot() => Unstable.Snapshot ?? _storage.Snapshot();

    public void CommitTo(ulong index)
    {
        // The commit index never decreases.
        if (Committed < index)
        {
            if (LastIndex < index)
            {
                throw new InvalidOperationException($"tocommit({index}) is out of range [lastIndex({LastIndex})]. Was the raft log corrupted, truncated, or lost?");
            }

            Committed = index;
        }
    }

    public void AppliedTo(ulong index)
    {
        if (index == 0)
        {
            return;
        }

        if (Committed < index || index < Applied)
        {
            throw new InvalidOperationException($"applied({index}) is out of range [prevApplied({Applied}), committed({Committed})]");
        }

        Applied = index;
    }

    public void StableTo(ulong index, ulong term) => Unstable.StableTo(index, term);

    public void StableSnapshotTo(ulong index) => Unstable.StableSnapshotTo(index);

    /// <summary>
    /// The term of the entry at <paramref name="index"/>. Outside [FirstIndex-1, LastIndex] the term is
    /// 0 (and true is returned) as etcd does; false means the index was compacted or is unavailable.
    /// </summary>
    public bool TryGetTerm(ulong index, out ulong term)
    {
        // The entry before the first one is kept (in storage or as the snapshot) for matching.
        ulong dummyIndex = FirstIndex - 1;
        if (index < dummyIndex || index > LastIndex)
        {
            term = 0;
            return true;
        }

        if (Unstable.TryGetTerm(index, out term))
        {
            return true;
        }

        try
        {
            term = _storage.Term(index);
            return true;
        }
        catch (RaftStorageException e) when (e.Error is StorageError.Compacted or StorageError.Unavailable)
        {
            term = 0;
            return false;
        }
    }

    public ulong TermOrZero(ulong index) => TryGetTerm(index, out ulong term) ? term : 0;

    /// <summary>Entries from <paramref name="index"/> to the end within a byte budget; false if compacted.</summary>
    public bool TryGetEntriesFrom(ulong index, ulong maxSize, out IReadOnlyList<Entry> entries)
    {
        if (index > LastIndex)
        {
            entries = [];
            return true;
        }

        return TrySlice(index, LastIndex + 1, maxSize, out entries);
    }

    /// <summary>Raft §5.4.1: a candidate's log is at least as up to date as ours.</summary>
    public bool IsUpToDate(ulong lastIndex, ulong term)
    {
        ulong ourTerm = LastTerm;
        return term > ourTerm || (term == ourTerm && lastIndex >= LastIndex);
    }

    public bool MatchTerm(ulong index, ulong term) => TryGetTerm(index, out ulong ours) && ours == term;

    /// <summary>
    /// Commits up to <paramref name="maxIndex"/> if that entry is of <paramref name="term"/> (the
    /// leader's current term: Raft §5.4.2 forbids counting replicas of older-term entries).
    /// </summary>
    public bool MaybeCommit(ulong maxIndex, ulong term)
    {
        if (maxIndex > Committed && TermOrZero(maxIndex) == term)
        {
            CommitTo(maxIndex);
            return true;
        }

        return false;
    }

    public void Restore(Snapshot snapshot)
    {
        _logger?.Info($"log [committed={Committed}, applied={Applied}, unstable.offset={Unstable.Offset}, len(unstable.Entries)={Unstable.Count}] starts to restore snapshot [index: {snapshot.Metadata.Index}, term: {snapshot.Metadata.Term}]");
        Committed = snapshot.Metadata.Index;
        Unstable.Restore(snapshot);
    }

    /// <summary>Entries in [lo, hi) within a byte budget (at least one); false if lo was compacted.</summary>
    public bool TrySlice(ulong lo, ulong hi, ulong maxSize, out IReadOnlyList<Entry> entries)
    {
        if (lo > hi)
        {
            throw new InvalidOperationException($"invalid slice {lo} > {hi}");
        }

        ulong first = FirstIndex;
        if (lo < first)
        {
            entries = [];
            return false;
        }

        if (hi > LastIndex + 1)
        {
            throw new InvalidOperationException($"slice[{lo},{hi}) out of bound [{first},{LastIndex}]");
        }

        if (lo == hi)
        {
            entries = [];
            return true;
        }

        ulong offset = Unstable.Offset;
        IReadOnlyList<Entry>? stored = null;
        if (lo < offset)
        {
            ulong storedHi = Math.Min(hi, offset);
            try
            {
                stored = _storage.Entries(lo, storedHi, maxSize);
            }
            catch (RaftStorageException e) when (e.Error == StorageError.Compacted)
            {
                entries = [];
                return false;
            }

            // Storage cut the batch to the size budget: nothing from the unstable part fits either.
            if ((ulong)stored.Count < storedHi - lo || hi <= offset)
            {
                entries = stored;
                return true;
            }
        }

        var unstable = Unstable.Slice(Math.Max(lo, offset), hi);
        if (stored is null || stored.Count == 0)
        {
            entries = unstable.Slice(0, EntrySize.CountWithin(unstable, maxSize));
            return true;
        }

        var combined = new Entry[stored.Count + unstable.Count];
        for (int i = 0; i < stored.Count; i++)
        {
            combined[i] = stored[i];
        }

        unstable.AsSpan().CopyTo(combined.AsSpan(stored.Count));
        entries = new ArraySegment<Entry>(combined, 0, EntrySize.CountWithin(combined, maxSize));
        return true;
    }
}
