using Etcd.Storage.Backend;

namespace Etcd.Server.State;

/// <summary>
/// Where a member's backend engines come from: the one it runs on, and those that arrive with a
/// leader's snapshot. The server keeps RocksDB databases in the snap directory
/// (<see cref="RocksDbBackendFiles"/>); the simulator keeps memory backends on its simulated disk.
/// </summary>
public interface IBackendFiles
{
    /// <summary>
    /// Opens the engine to start on. A database received with the snapshot the member recovered
    /// from (<paramref name="snapshotIndex"/>), installed or not before it stopped, is that engine.
    /// </summary>
    IBackend OpenCurrent(ulong snapshotIndex);

    /// <summary>Opens the engine that arrived with the snapshot at <paramref name="snapshotIndex"/>.</summary>
    IBackend OpenReceived(ulong snapshotIndex);

    /// <summary>An engine was replaced (and disposed): its files go once it has closed.</summary>
    void Retire(IBackend engine);
}
