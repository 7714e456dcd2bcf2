using Etcd.Mvcc;
using Etcd.Raft.Raftpb;
using Etcd.Server.Membership;
using Etcd.Server.Peers;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// The server's snapshot installation (SnapshotInstaller) on a simulated disk: the received
/// backend becomes the member's backend, and the member list is reloaded from it.
/// </summary>
internal sealed class SimSnapshotInstaller(SimDisk disk, ClusterMembers members) : ISnapshotInstaller
{
    /// <summary>Raised with the new store, for the member that holds the old one.</summary>
    public event Action<KvStore>? Installed;

    public (KvStore Kv, IBackend Backend) Install(Snapshot snapshot, KvStore oldKv, IBackend oldBackend)
    {
        var index = snapshot.Metadata.Index;
        if (!disk.ReceivedBackends.TryGetValue(index, out var received))
            throw new ClusterSimFailure($"no backend was received for the snapshot at index {index}");
        oldKv.Dispose();
        oldBackend.Dispose();
        using (var stream = new MemoryStream(received, writable: false)) disk.Backend = MemoryBackend.RestoreFrom(stream);
        disk.ReceivedBackends.Clear();
        using (var view = disk.Backend.Snapshot())
        {
            var (list, removed, version) = MemberBuckets.Load(view);
            members.Reset(list, removed, version);
        }
        var kv = new KvStore(disk.Backend);
        Installed?.Invoke(kv);
        return (kv, disk.Backend);
    }
}
