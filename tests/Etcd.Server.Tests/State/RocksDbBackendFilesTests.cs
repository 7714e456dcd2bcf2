using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Etcd.Server.State;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;

namespace Etcd.Server.Tests.State;

/// <summary>
/// Which database a member starts on, whatever step of a snapshot install it was killed at:
/// received (not yet taken by Raft), taken by Raft (snapshot persisted, not installed), installed
/// and run from where it was received, and later covered by the member's own snapshots.
/// </summary>
public sealed class RocksDbBackendFilesTests : IDisposable
{
    private readonly string _snapDir = Directory.CreateTempSubdirectory("backendfiles-").FullName;
    private readonly ReceivedBackends _received;

    public RocksDbBackendFilesTests()
    {
        _received = new ReceivedBackends(_snapDir);
        Write(Path.Combine(_snapDir, "db"), "old");
    }

    public void Dispose() => Directory.Delete(_snapDir, recursive: true);

    private RocksDbBackendFiles Files() => new(_received, ZapLogger.Discard);

    private static void Write(string path, string value)
    {
        using var backend = RocksDbBackend.Open(path);
        using var batch = backend.CreateBatch();
        batch.Put(Bucket.Meta, "which"u8, System.Text.Encoding.UTF8.GetBytes(value));
        backend.Commit(batch, sync: true);
    }

    private static string Which(IBackend backend)
    {
        using var view = backend.Snapshot();
        return System.Text.Encoding.UTF8.GetString(view.Get(Bucket.Meta, "which"u8)!);
    }

    private string[] Entries() => [.. Directory.EnumerateFileSystemEntries(_snapDir).Select(Path.GetFileName).Order()!];

    [Fact]
    public void ReceivedButNeverTakenByRaft_IsDroppedAtStart()
    {
        Write(_received.PathFor(20), "received");
        using var backend = Files().OpenCurrent(snapshotIndex: 10);
        Assert.Equal("old", Which(backend));
        Assert.Equal(["db"], Entries());
    }

    [Fact]
    public void TakenByRaftButNotInstalled_IsInstalledAtStart()
    {
        Write(_received.PathFor(20), "received");
        using var backend = Files().OpenCurrent(snapshotIndex: 20);
        Assert.Equal("received", Which(backend));
        Assert.Equal(["db"], Entries());
    }

    [Fact]
    public void InstalledAndThenCoveredByOwnSnapshots_IsStillTheOneAfterAKill()
    {
        var files = Files();
        var first = files.OpenCurrent(snapshotIndex: 10);
        Write(_received.PathFor(20), "received");
        var installed = files.OpenReceived(20);
        // Killed with both open; the member's own snapshots went on to index 35.
        first.Dispose();
        installed.Dispose();

        using var backend = Files().OpenCurrent(snapshotIndex: 35);
        Assert.Equal("received", Which(backend));
        Assert.Equal(["db"], Entries());
    }

    /// <summary>
    /// A kill at each step of installing a received database, as the files are left after it:
    /// the next start runs on the received database (Raft took its snapshot at 20) and leaves
    /// nothing else behind.
    /// </summary>
    [Theory]
    [InlineData("naming-started")]
    [InlineData("named")]
    [InlineData("old-set-aside")]
    [InlineData("received-moved-in")]
    public void KilledAtEachStepOfAnInstall_StartsOnTheReceivedDatabaseWithNothingLeftOver(string step)
    {
        Write(_received.PathFor(20), "received");
        var db = Path.Combine(_snapDir, "db");
        var marker = Path.Combine(_snapDir, "current-backend");
        switch (step)
        {
            case "naming-started":
                // The marker's temporary file is half written: it names nothing yet.
                File.WriteAllText(marker + ".tmp", "00000000");
                break;
            case "named":
                Files().OpenReceived(20).Dispose();
                break;
            case "old-set-aside":
                Files().OpenReceived(20).Dispose();
                Directory.Move(db, db + ".replaced");
                break;
            case "received-moved-in":
                Files().OpenReceived(20).Dispose();
                Directory.Move(db, db + ".replaced");
                Directory.Move(_received.PathFor(20), db);
                break;
        }

        using (var backend = Files().OpenCurrent(snapshotIndex: 20)) Assert.Equal("received", Which(backend));
        Assert.Equal(["db"], Entries());
        // And the start after that one, with the member's own snapshots further on, too.
        using (var backend = Files().OpenCurrent(snapshotIndex: 35)) Assert.Equal("received", Which(backend));
        Assert.Equal(["db"], Entries());
    }

    [Fact]
    public async Task AtRunTime_TheReplacedDatabaseGoesOnceClosedAndStaleReceivedOnesAtTheNextInstall()
    {
        var files = Files();
        var old = (RocksDbBackend)files.OpenCurrent(snapshotIndex: 0);
        Write(_received.PathFor(15), "stale");
        Write(_received.PathFor(20), "received");
        var reader = old.Snapshot();
        var replaceable = new ReplaceableBackend(old);

        files.Retire(replaceable.Replace(files.OpenReceived(20)));

        // The reader from before the swap still reads the old database, which stays on disk.
        Assert.Equal("old", System.Text.Encoding.UTF8.GetString(reader.Get(Bucket.Meta, "which"u8)!));
        Assert.Contains("db", Entries());
        Assert.DoesNotContain(Path.GetFileName(_received.PathFor(15)), Entries());
        reader.Dispose();
        await old.Closed;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Entries().Contains("db") && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.DoesNotContain("db", Entries());
        Assert.Equal("received", Which(replaceable));
        replaceable.Dispose();
    }
}
