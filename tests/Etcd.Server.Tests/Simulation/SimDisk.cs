using Etcd.Storage.Backend.Memory;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// What survives a member's crash: its Raft log, its backend and the backends it received with
/// snapshots but has not installed yet. Everything else (RawNode, Raft's MemoryStorage, the store's
/// index, waiters) lives in <see cref="SimMember"/>'s process and dies with it.
/// </summary>
internal sealed class SimDisk
{
    public SimWal Wal { get; } = new();

    /// <summary>
    /// The backend, with RocksDB's crash model: every commit reaches RocksDB's own log; only a
    /// synced one (the server's Flush before a snapshot) survives a power loss for sure.
    /// </summary>
    public MemoryBackend Backend { get; set; } = new();

    /// <summary>
    /// Backends that came with a leader's snapshot, by snapshot index: written completely (and
    /// synced) before Raft sees the snapshot, as the server's SnapshotReceiver does.
    /// </summary>
    public Dictionary<ulong, byte[]> ReceivedBackends { get; } = [];

    /// <summary>
    /// A killed process loses nothing that was written; a power loss keeps the synced state plus
    /// a prefix of what was written after it, in the log and the backend independently.
    /// </summary>
    public void Crash(bool powerLoss, Random random)
    {
        Wal.Crash(powerLoss ? random.Next(Wal.UnsyncedCount + 1) : Wal.UnsyncedCount);
        Backend.Crash(powerLoss ? random.Next(Backend.PendingCommitCount + 1) : Backend.PendingCommitCount);
    }
}
