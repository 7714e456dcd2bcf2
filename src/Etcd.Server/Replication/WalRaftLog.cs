using Etcd.Api.Etcdserverpb;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Storage.Wal;
using Google.Protobuf;

namespace Etcd.Server.Replication;

/// <summary>
/// A member's Raft state on disk: entries and hard state in the WAL (raftpb encoded, as etcd
/// stores them), snapshots as files beside the backend with a marker in the WAL.
/// </summary>
public sealed class WalRaftLog : IRaftDurableLog
{
    private readonly Wal _wal;
    private readonly RaftSnapshotFiles _snapshots;
    private readonly bool _fsync;

    private WalRaftLog(Wal wal, RaftSnapshotFiles snapshots, bool fsync)
    {
        _wal = wal;
        _snapshots = snapshots;
        _fsync = fsync;
    }

    /// <summary>True when <paramref name="walDir"/> holds a log, i.e. the member was started before.</summary>
    public static bool Exists(string walDir) =>
        Directory.Exists(walDir) && Directory.EnumerateFiles(walDir, "*.wal").Any();

    public static WalRaftLog Create(string walDir, string snapDir, Metadata metadata, bool fsync, int maxSnapshots)
    {
        var wal = Wal.Create(walDir, metadata.ToByteArray());
        return new WalRaftLog(wal, new RaftSnapshotFiles(snapDir, maxSnapshots), fsync);
    }

    /// <summary>What a restarting member recovers: its identity, newest snapshot, hard state and the entries after the snapshot.</summary>
    public sealed record Recovered(WalRaftLog Log, Metadata Metadata, Snapshot? Snapshot, HardState? HardState, IReadOnlyList<Entry> Entries)
    {
        public RecoveredLog Recovery => new(Snapshot, HardState, Entries);
    }

    public static Recovered Open(string walDir, string snapDir, bool fsync, int maxSnapshots)
    {
        var snapshots = new RaftSnapshotFiles(snapDir, maxSnapshots);
        var snapshot = snapshots.LoadNewest(Wal.SnapshotMarkers(walDir));
        var marker = snapshot?.Metadata is { } m ? new WalSnapshot(m.Index, m.Term) : default;
        var wal = Wal.Open(walDir, marker);
        var contents = wal.ReadAll();
        var metadata = Metadata.Parser.ParseFrom(contents.Metadata);
        var hardState = contents.State is { } state ? HardState.Parser.ParseFrom(state) : null;
        var entries = new List<Entry>(contents.Entries.Count);
        foreach (var entry in contents.Entries) entries.Add(Entry.Parser.ParseFrom(entry.Data));
        return new Recovered(new WalRaftLog(wal, snapshots, fsync), metadata, snapshot, hardState, entries);
    }

    public void Save(HardState? hardState, IReadOnlyList<Entry> entries, bool sync)
    {
        if (hardState is null && entries.Count == 0) return;
        foreach (var entry in entries) _wal.AppendEntry(entry.Index, Encode(entry));
        if (hardState is not null) _wal.SaveState(Encode(hardState));
        if (sync && _fsync) Sync();
    }

    /// <summary>Where a slow fdatasync is reported ("slow fdatasync", as etcd's WAL); none for offline tools.</summary>
    public ZapLogger? Logger { get; set; }

    /// <summary>A sync longer than this is logged (etcd's warnSyncDuration, one second).</summary>
    public TimeSpan SlowSyncThreshold { get; set; } = TimeSpan.FromSeconds(1);

    private void Sync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _wal.Sync();
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Metrics.EtcdMetrics.WalFsync.Observe(took);
        if (took > SlowSyncThreshold)
            Logger?.Warn("slow fdatasync", LogField.Duration("took", took), LogField.Duration("expected-duration", SlowSyncThreshold));
    }

    // Records are encoded into one reused buffer (the WAL copies them into its own): Save runs
    // on the Raft loop only, and a fresh array per entry was 5% of the bytes a put allocated.
    private byte[] _scratch = new byte[4096];

    private ReadOnlySpan<byte> Encode(IMessage message)
    {
        var size = message.CalculateSize();
        if (size > _scratch.Length) _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
        var span = _scratch.AsSpan(0, size);
        message.WriteTo(span);
        return span;
    }

    public void SaveSnapshot(Snapshot snapshot)
    {
        // etcd's order: the snapshot file first, then the WAL marker, synced; only after that may
        // older snapshot files and WAL segments go. A crash in between leaves a file the WAL has
        // no marker for, which Open passes over for the one before.
        _snapshots.Save(snapshot);
        _wal.AppendSnapshotMarker(new WalSnapshot(snapshot.Metadata.Index, snapshot.Metadata.Term));
        Sync();
        _snapshots.Purge();
    }

    public void ReleaseTo(ulong index) => _wal.ReleaseTo(index);

    public void Dispose() => _wal.Dispose();
}
