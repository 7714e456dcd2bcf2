using Etcd.Api.Etcdserverpb;
using Etcd.Raft.Raftpb;
using Etcd.Server.Replication;

namespace Etcd.Server.Tests.Raft;

/// <summary>
/// Saving a snapshot takes three durable steps: the file, the WAL marker, then dropping older
/// files. A member killed between any two of them must start again, from a snapshot the WAL
/// agrees with.
/// </summary>
public sealed class WalRaftLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("walraftlog-").FullName;

    private string WalDir => Path.Combine(_dir, "wal");

    private string SnapDir => Path.Combine(_dir, "snap");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Snapshot SnapshotAt(ulong index) =>
        new() { Metadata = new SnapshotMetadata { Index = index, Term = 1, ConfState = new ConfState { Voters = { 1 } } } };

    private static Entry[] Entries(ulong from, ulong to)
    {
        var entries = new Entry[to - from + 1];
        for (var i = from; i <= to; i++) entries[i - from] = new Entry { Index = i, Term = 1 };
        return entries;
    }

    /// <summary>A log with entries 1..20 and a snapshot at 10, as a member has it after its first snapshot.</summary>
    private void WriteLogWithSnapshotAt10(int maxSnapshots)
    {
        Directory.CreateDirectory(SnapDir);
        using var log = WalRaftLog.Create(WalDir, SnapDir, new Metadata { NodeID = 1, ClusterID = 2 }, fsync: false, maxSnapshots);
        log.Save(new HardState { Term = 1, Commit = 20 }, Entries(1, 20), sync: true);
        log.SaveSnapshot(SnapshotAt(10));
    }

    [Fact]
    public void KilledWhileTheSnapshotFileWasBeingWritten_StartsFromTheSnapshotBeforeAndTheHalfFileGoes()
    {
        WriteLogWithSnapshotAt10(maxSnapshots: 1);
        // The file is written under a temporary name and renamed once synced: a kill before the
        // rename leaves a part of it there.
        var half = Path.Combine(SnapDir, $"{1:x16}-{20:x16}.snap.tmp");
        File.WriteAllBytes(half, new byte[7]);

        var recovered = WalRaftLog.Open(WalDir, SnapDir, fsync: false, maxSnapshots: 1);
        using (recovered.Log)
        {
            Assert.Equal(10UL, recovered.Snapshot!.Metadata.Index);
            recovered.Log.Save(new HardState { Term = 1, Commit = 30 }, Entries(21, 30), sync: true);
            recovered.Log.SaveSnapshot(SnapshotAt(30));
        }
        Assert.Equal([$"{1:x16}-{30:x16}.snap"], Directory.EnumerateFiles(SnapDir).Select(Path.GetFileName));
    }

    [Fact]
    public void KilledAfterTheSnapshotFileBeforeItsWalMarker_StartsFromTheSnapshotBefore()
    {
        // Keeping one file is where the old order lost everything: the new file replaced the
        // only one the WAL had a marker for, and the member could not start.
        WriteLogWithSnapshotAt10(maxSnapshots: 1);
        // The first step of SaveSnapshot(20), then the process dies.
        var files = new RaftSnapshotFiles(SnapDir, keep: 1);
        files.Save(SnapshotAt(20));

        var recovered = WalRaftLog.Open(WalDir, SnapDir, fsync: false, maxSnapshots: 1);
        using (recovered.Log)
        {
            Assert.Equal(10UL, recovered.Snapshot!.Metadata.Index);
            Assert.Equal(Enumerable.Range(11, 10).Select(i => (ulong)i), recovered.Entries.Select(e => e.Index));
        }
    }

    [Fact]
    public void KilledAfterTheWalMarkerBeforeOlderFilesWent_StartsFromTheNewSnapshot()
    {
        WriteLogWithSnapshotAt10(maxSnapshots: 1);
        var reopened = WalRaftLog.Open(WalDir, SnapDir, fsync: false, maxSnapshots: 1);
        reopened.Log.Save(new HardState { Term = 1, Commit = 30 }, Entries(21, 30), sync: true);
        reopened.Log.SaveSnapshot(SnapshotAt(30));
        reopened.Log.Dispose();
        // Only one file is kept: the older one went after the marker of the newer was durable.
        Assert.Single(Directory.EnumerateFiles(SnapDir, "*.snap"));

        var recovered = WalRaftLog.Open(WalDir, SnapDir, fsync: false, maxSnapshots: 1);
        using (recovered.Log) Assert.Equal(30UL, recovered.Snapshot!.Metadata.Index);
    }
}
