using Etcd.Mvcc;
using Etcd.Raft.Raftpb;
using Etcd.Server.Leases;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Etcd.Storage.Durability;

namespace Etcd.Server.Peers;

/// <summary>
/// Puts a backend received with a snapshot in place of the member's own (etcd's
/// recoverSnapshotBackend): the old store and backend are closed, the received directory becomes
/// snap/db, and a new store is opened on it with the leases and members it holds. Runs on the Raft
/// loop, after Raft has persisted the snapshot, so a crash in between leaves the received
/// directory for <see cref="InstallPendingAtStart"/> to finish.
/// </summary>
/// <remarks>Disposing closes the store and backend it installed last (the member's original ones are closed by their owner).</remarks>
public sealed class SnapshotInstaller(ReceivedBackends received, string backendDir, Lessor lessor, ClusterMembers members, ZapLogger logger) : ISnapshotInstaller, IDisposable
{
    private (KvStore Kv, IBackend Backend)? _installed;

    /// <summary>Raised on the Raft loop with the new store and backend, for those who hold the old ones.</summary>
    public event Action<KvStore, IBackend>? Installed;

    public (KvStore Kv, IBackend Backend) Install(Snapshot snapshot, KvStore oldKv, IBackend oldBackend)
    {
        var index = snapshot.Metadata.Index;
        var source = received.Find(index)
            ?? throw new InvalidOperationException($"no backend was received for the snapshot at index {index}");
        logger.Info("applying snapshot", LogField.Of("incoming-leader-snapshot-index", index), LogField.Of("incoming-leader-snapshot-term", snapshot.Metadata.Term));
        // Readers of the old store finish first (disposing it waits for them); later ones fail
        // until the new store is published, a moment from now.
        var observer = oldKv.Observer;
        oldKv.Dispose();
        oldBackend.Dispose();
        Replace(source, backendDir);
        var backend = RocksDbBackend.Open(backendDir);
        using (var view = backend.Snapshot())
        {
            lessor.Recover(view);
            var (list, removed, version) = MemberBuckets.Load(view);
            members.Reset(list, removed, version);
        }
        var kv = new KvStore(backend, lessor) { Observer = observer };
        received.DeleteAllBut(null);
        logger.Info("restored snapshot", LogField.Of("snapshot-index", index), LogField.Of("consistent-index", kv.ConsistentIndex),
            LogField.Of("current-revision", kv.CurrentRevision));
        _installed = (kv, backend);
        Installed?.Invoke(kv, backend);
        return (kv, backend);
    }

    public void Dispose()
    {
        if (_installed is not { } current) return;
        current.Kv.Dispose();
        current.Backend.Dispose();
    }

    /// <summary>
    /// At start-up, before the backend is opened: a backend received for the newest snapshot that
    /// was never installed (the member stopped in between) replaces snap/db now.
    /// </summary>
    public static void InstallPendingAtStart(ReceivedBackends received, string backendDir, ulong newestSnapshotIndex, ZapLogger logger)
    {
        if (received.Find(newestSnapshotIndex) is { } pending)
        {
            logger.Info("installing backend received with the newest snapshot", LogField.Of("snapshot-index", newestSnapshotIndex), LogField.Of("path", pending));
            Replace(pending, backendDir);
        }
        received.DeleteAllBut(null);
        if (Directory.Exists(backendDir + ".replaced")) Directory.Delete(backendDir + ".replaced", recursive: true);
    }

    private static void Replace(string source, string backendDir)
    {
        var retired = backendDir + ".replaced";
        if (Directory.Exists(retired)) Directory.Delete(retired, recursive: true);
        if (Directory.Exists(backendDir)) Directory.Move(backendDir, retired);
        Directory.Move(source, backendDir);
        DirectorySync.Flush(Path.GetDirectoryName(backendDir)!);
        if (Directory.Exists(retired)) Directory.Delete(retired, recursive: true);
    }
}
