using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Etcd.Storage.Durability;

namespace Etcd.Server.State;

/// <summary>
/// The member's RocksDB databases in its snap directory: the one it runs on in <c>db</c>, and those
/// received with a leader's snapshot beside it (<see cref="ReceivedBackends"/>).
/// <para>
/// Nothing is moved while it is open: a replaced database may still have readers (a range, a
/// snapshot on its way to a client or a peer), and RocksDB names its files by directory. So an
/// installed database is run where it was received, named in the <c>current-backend</c> file, and
/// the replaced one is deleted once it has closed; the next start moves the installed one to
/// <c>db</c>. At start, the current database is, in this order: one received with the very
/// snapshot the member recovers from (Raft accepted it, installed or not before the member
/// stopped); the one <c>current-backend</c> names; <c>db</c>.
/// </para>
/// </summary>
public sealed class RocksDbBackendFiles(ReceivedBackends received, ZapLogger logger) : IBackendFiles
{
    // Databases open now: the current one and replaced ones whose readers are not done yet.
    private readonly Lock _lock = new();
    private readonly HashSet<string> _open = [];

    private string CurrentPath => Path.Combine(received.Directory, "db");

    private string RetiredPath => CurrentPath + ".replaced";

    private string InstalledMarker => Path.Combine(received.Directory, "current-backend");

    private string InstalledMarkerStaging => InstalledMarker + ".tmp";

    public IBackend OpenCurrent(ulong snapshotIndex)
    {
        var installed = received.Find(snapshotIndex) ?? NamedInMarker();
        if (installed is not null)
        {
            logger.Info("installing backend received with a snapshot", LogField.Of("path", installed));
            MoveInPlace(installed);
        }
        // A kill after the received database became db but before the one it replaced went
        // leaves that one set aside; a kill while naming the received one leaves the name's
        // temporary file. Neither is used again.
        if (Directory.Exists(CurrentPath) && Directory.Exists(RetiredPath)) Directory.Delete(RetiredPath, recursive: true);
        File.Delete(InstalledMarkerStaging);
        File.Delete(InstalledMarker);
        // Received for a snapshot Raft never took, superseded, or cut off: never to be used.
        received.DeleteAllBut([], receptions: true);
        var backend = RocksDbBackend.Open(CurrentPath);
        lock (_lock) _open.Add(backend.Location);
        logger.Info("opened backend db", LogField.Of("path", CurrentPath));
        return backend;
    }

    public IBackend OpenReceived(ulong snapshotIndex)
    {
        var path = received.Find(snapshotIndex)
            ?? throw new InvalidOperationException($"no backend was received for the snapshot at index {snapshotIndex}");
        // Named before it is used, so that a start after a crash runs on it even once later
        // snapshots of the member's own have replaced the one it came with.
        var staging = InstalledMarkerStaging;
        File.WriteAllText(staging, Path.GetFileName(path));
        using (var file = new FileStream(staging, FileMode.Open, FileAccess.ReadWrite)) file.Flush(flushToDisk: true);
        File.Move(staging, InstalledMarker, overwrite: true);
        DirectorySync.Flush(received.Directory);
        var backend = RocksDbBackend.Open(path);
        lock (_lock)
        {
            _open.Add(backend.Location);
            // Others received meanwhile that Raft did not take (stale by the time they arrived).
            received.DeleteAllBut(_open, receptions: false);
        }
        return backend;
    }

    public void Retire(IBackend engine)
    {
        if (engine is not RocksDbBackend database) return;
        _ = database.Closed.ContinueWith(_ =>
        {
            try
            {
                Directory.Delete(database.Location, recursive: true);
            }
            catch (IOException e)
            {
                logger.Warn("failed to remove replaced backend", LogField.Of("path", database.Location), LogField.Of("error", e.Message));
            }
            lock (_lock) _open.Remove(database.Location);
        }, TaskScheduler.Default);
    }

    private string? NamedInMarker()
    {
        if (!File.Exists(InstalledMarker)) return null;
        var path = Path.Combine(received.Directory, File.ReadAllText(InstalledMarker).Trim());
        return Directory.Exists(path) ? path : null;
    }

    // Crash-safe at every step: until the received database is db, the next start finds it where
    // it was and moves it again; once it is, the marker naming its old place is ignored.
    private void MoveInPlace(string source)
    {
        if (Directory.Exists(RetiredPath)) Directory.Delete(RetiredPath, recursive: true);
        if (Directory.Exists(CurrentPath)) Directory.Move(CurrentPath, RetiredPath);
        Directory.Move(source, CurrentPath);
        DirectorySync.Flush(received.Directory);
        if (Directory.Exists(RetiredPath)) Directory.Delete(RetiredPath, recursive: true);
    }
}
