using Etcd.Mvcc;
using Etcd.Raft.Raftpb;
using Etcd.Storage.Backend;

namespace Etcd.Server.Peers;

/// <summary>
/// Replaces the state machine with the backend that came with a leader's snapshot. The server's
/// installer swaps RocksDB directories; the whole-cluster simulator installs in-memory backends
/// through the same call, so the apply path it tests is the server's own.
/// </summary>
public interface ISnapshotInstaller
{
    /// <summary>Closes the old store and backend and returns those holding the state as of the snapshot's index.</summary>
    (KvStore Kv, IBackend Backend) Install(Snapshot snapshot, KvStore oldKv, IBackend oldBackend);
}
