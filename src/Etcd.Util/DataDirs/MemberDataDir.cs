using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Etcd.Server.Replication;
using Etcd.Server.State;
using Etcd.Storage.Backend;
using Etcd.Storage.Wal;

namespace Etcd.Util.DataDirs;

/// <summary>
/// A stopped member's data dir, as the server finds it: the WAL in <c>member/wal</c> (or
/// --wal-dir), snapshots and backends in <c>member/snap</c>. Its backend is opened with the
/// server's own <see cref="RocksDbBackendFiles"/>, so a tool works on the database the member
/// would run on (one received with its newest snapshot, or the one <c>current-backend</c> names).
/// </summary>
public sealed class MemberDataDir
{
    public MemberDataDir(string dataDir, string walDir = "")
    {
        DataDir = dataDir;
        WalDir = walDir.Length > 0 ? walDir : Path.Combine(dataDir, "member", "wal");
        SnapDir = Path.Combine(dataDir, "member", "snap");
    }

    public string DataDir { get; }

    public string WalDir { get; }

    public string SnapDir { get; }

    /// <summary>
    /// Refuses what is not a data dir of ours: a missing one, and one written by etcd itself
    /// (its db is a bbolt file where ours is a RocksDB directory).
    /// </summary>
    public void Check()
    {
        if (!Directory.Exists(DataDir)) throw new UtilException($"stat {DataDir}: no such file or directory");
        if (EtcdWrittenDataDir.Is(DataDir)) throw new UtilException(EtcdWrittenDataDir.Explain(DataDir));
        if (!WalRaftLog.Exists(WalDir)) throw new UtilException($"no WAL in {WalDir}: not an etcd data dir");
    }

    /// <summary>The index of the newest snapshot the WAL recorded (0 without one).</summary>
    public ulong SnapshotIndex()
    {
        var files = new RaftSnapshotFiles(SnapDir, keep: int.MaxValue);
        return files.LoadNewest(Wal.SnapshotMarkers(WalDir))?.Metadata.Index ?? 0;
    }

    /// <summary>Opens the member's current backend, exactly as its next start would.</summary>
    public IBackend OpenBackend(ZapLogger logger)
    {
        Check();
        var files = new RocksDbBackendFiles(new ReceivedBackends(SnapDir), logger);
        return files.OpenCurrent(SnapshotIndex());
    }
}
