using Etcd.Raft.Raftpb;
using Etcd.Server.Replication;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// A member's Raft log on a simulated disk, with the server's WAL semantics: records (entries,
/// hard states, snapshot markers) are appended in order; a synced save makes itself and every
/// earlier record durable; recovery reads the entries after the newest snapshot, where an entry
/// rewriting an index replaces the suffix from it, whatever the records' position relative to the
/// marker (as <c>WalRecovery</c> does). A crash keeps the durable records plus a prefix of the
/// unsynced ones (all of them for a killed process, fewer after a power loss).
/// </summary>
internal sealed class SimWal : IRaftDurableLog
{
    private readonly List<Record> _records = [];
    private int _synced;

    // The snapshot file: written and synced before its marker, so always durable.
    private Snapshot? _snapshot;

    /// <summary>
    /// Called after each save has taken effect, with where the Ready is: the simulator's chance to
    /// let the process die right there (by throwing <see cref="SimulatedCrash"/>).
    /// </summary>
    public Action<string>? AfterWrite { get; set; }

    /// <summary>True once the member has started for the first time (the server's WalRaftLog.Exists).</summary>
    public bool Exists { get; private set; }

    public int UnsyncedCount => _records.Count - _synced;

    public void Create()
    {
        // Wal.Create renames a complete directory into place: durable as a whole.
        Exists = true;
        _records.Add(new Record(null, null, new SnapshotMetadata()));
        _synced = _records.Count;
    }

    public void Save(HardState? hardState, IReadOnlyList<Entry> entries, bool sync)
    {
        if (hardState is null && entries.Count == 0) return;
        foreach (var entry in entries) _records.Add(new Record(entry.Clone(), null, null));
        if (hardState is not null) _records.Add(new Record(null, hardState.Clone(), null));
        if (sync) _synced = _records.Count;
        AfterWrite?.Invoke("after persisting entries");
    }

    public void SaveSnapshot(Snapshot snapshot)
    {
        _snapshot = snapshot.Clone();
        _records.Add(new Record(null, null, snapshot.Metadata.Clone()));
        _synced = _records.Count;
        AfterWrite?.Invoke("after saving a snapshot, before installing or releasing the log");
    }

    /// <summary>
    /// Forgets what recovery no longer reads: entries the newest snapshot covers, and hard states
    /// and markers superseded by later durable ones (the WAL drops whole old segments instead).
    /// </summary>
    public void ReleaseTo(ulong index)
    {
        var covered = Math.Min(index, _snapshot?.Metadata.Index ?? 0);
        var lastDurableState = _records.FindLastIndex(_synced - 1, _synced, r => r.State is not null);
        var lastDurableMarker = _records.FindLastIndex(_synced - 1, _synced, r => r.Marker is not null);
        var kept = new List<Record>(_records.Count);
        var keptSynced = 0;
        for (var i = 0; i < _records.Count; i++)
        {
            var r = _records[i];
            var drop = i < _synced && (r.Entry is { } e ? e.Index <= covered : r.State is not null ? i < lastDurableState : i < lastDurableMarker);
            if (drop) continue;
            kept.Add(r);
            if (i < _synced) keptSynced++;
        }
        _records.Clear();
        _records.AddRange(kept);
        _synced = keptSynced;
    }

    /// <summary>Loses all but <paramref name="keepUnsynced"/> of the unsynced records; what is left is durable.</summary>
    public void Crash(int keepUnsynced)
    {
        _records.RemoveRange(_synced + keepUnsynced, _records.Count - _synced - keepUnsynced);
        _synced = _records.Count;
    }

    /// <summary>What a restarting member reads back (WalRaftLog.Open): newest snapshot, last hard state, entries after the snapshot.</summary>
    public RecoveredLog Recover()
    {
        var from = _snapshot?.Metadata.Index ?? 0;
        HardState? state = null;
        var entries = new List<Entry>();
        foreach (var record in _records)
        {
            if (record.State is not null) state = record.State;
            if (record.Entry is not { } entry || entry.Index <= from) continue;
            var position = entry.Index - from - 1;
            if (position > (ulong)entries.Count)
                throw new ClusterSimFailure($"wal: entry {entry.Index} follows entry {from + (ulong)entries.Count}: entries are missing");
            entries.RemoveRange((int)position, entries.Count - (int)position);
            entries.Add(entry.Clone());
        }
        return new RecoveredLog(_snapshot?.Clone(), state?.Clone(), entries);
    }

    public void Dispose()
    {
    }

    private readonly record struct Record(Entry? Entry, HardState? State, SnapshotMetadata? Marker);
}
