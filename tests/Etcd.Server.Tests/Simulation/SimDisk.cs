using Etcd.Server.State;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// What survives a member's crash: its Raft log, its backend and the backends it received with
/// snapshots. Everything else (RawNode, Raft's MemoryStorage, the store's index, waiters) lives in
/// <see cref="SimMember"/>'s process and dies with it. As the member's <see cref="IBackendFiles"/>
/// it hands the state its backend, as the server's RocksDbBackendFiles does with directories.
/// </summary>
internal sealed class SimDisk : IBackendFiles
{
    public SimWal Wal { get; } = new();

    /// <summary>
    /// The backend the member runs on, with RocksDB's crash model: every commit reaches RocksDB's
    /// own log; only a synced one (the server's Flush before a snapshot) survives a power loss for
    /// sure. Replacing it (installing a received one) is atomic, as the server's marker file is.
    /// </summary>
    public MemoryBackend Backend { get; private set; } = new();

    /// <summary>
    /// Backends that came with a leader's snapshot, by snapshot index: written completely (and
    /// synced) before Raft sees the snapshot, as the server's SnapshotReceiver does.
    /// </summary>
    public Dictionary<ulong, byte[]> ReceivedBackends { get; } = [];

    /// <summary>Raised when a received backend is opened at start (one the member stopped before installing).</summary>
    public event Action<ulong>? InstalledAtStart;

    public IBackend OpenCurrent(ulong snapshotIndex)
    {
        if (ReceivedBackends.ContainsKey(snapshotIndex))
        {
            Install(snapshotIndex);
            InstalledAtStart?.Invoke(snapshotIndex);
        }
        ReceivedBackends.Clear();
        return Backend;
    }

    public IBackend OpenReceived(ulong snapshotIndex)
    {
        if (!ReceivedBackends.ContainsKey(snapshotIndex))
            throw new ClusterSimFailure($"no backend was received for the snapshot at index {snapshotIndex}");
        Install(snapshotIndex);
        ReceivedBackends.Clear();
        return Backend;
    }

    public void Retire(IBackend engine)
    {
    }

    private void Install(ulong snapshotIndex)
    {
        using var stream = new MemoryStream(ReceivedBackends[snapshotIndex], writable: false);
        Backend = MemoryBackend.RestoreFrom(stream);
    }

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
