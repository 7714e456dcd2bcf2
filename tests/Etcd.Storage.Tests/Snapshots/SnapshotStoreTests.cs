using Etcd.Storage.Snapshots;

namespace Etcd.Storage.Tests.Snapshots;

public sealed class SnapshotStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string SnapDirectory => _temp.Combine("member", "snap");

    [Fact]
    public void Saves_and_loads_the_newest()
    {
        var store = new SnapshotStore(SnapDirectory);
        store.Save(1, 100, [1]);
        store.Save(2, 200, [2, 2]);
        store.Save(2, 150, [3]);

        var newest = store.LoadNewest();
        Assert.NotNull(newest);
        Assert.Equal((2ul, 200ul), (newest.Term, newest.Index));
        Assert.Equal([2, 2], newest.Data);
        Assert.Equal([(2ul, 200ul), (2ul, 150ul), (1ul, 100ul)], store.List());
        Assert.True(File.Exists(Path.Combine(SnapDirectory, "0000000000000002-00000000000000c8.snap")));
        Assert.Empty(Directory.GetFiles(SnapDirectory, "*.tmp"));
    }

    [Fact]
    public void Empty_directory_has_no_snapshot()
    {
        Assert.Null(new SnapshotStore(SnapDirectory).LoadNewest());
    }

    [Fact]
    public void A_filter_picks_the_newest_the_wal_knows()
    {
        var store = new SnapshotStore(SnapDirectory);
        store.Save(1, 100, [1]);
        store.Save(1, 200, [2]);
        var loaded = store.LoadNewest((term, index) => index <= 150);
        Assert.Equal(100ul, loaded!.Index);
    }

    [Fact]
    public void A_corrupt_newest_file_is_renamed_broken_and_the_next_one_loads()
    {
        var store = new SnapshotStore(SnapDirectory);
        store.Save(1, 100, [1, 2, 3]);
        store.Save(1, 200, new byte[1000]);
        string newest = Path.Combine(SnapDirectory, "0000000000000001-00000000000000c8.snap");
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[500] ^= 0x10;
        File.WriteAllBytes(newest, bytes);

        var loaded = store.LoadNewest();
        Assert.Equal(100ul, loaded!.Index);
        Assert.Equal([1, 2, 3], loaded.Data);
        Assert.False(File.Exists(newest));
        Assert.True(File.Exists(newest + ".broken"));
    }

    [Fact]
    public void Truncated_empty_and_misnamed_files_count_as_corrupt()
    {
        var store = new SnapshotStore(SnapDirectory);
        store.Save(1, 10, [9]);
        store.Save(1, 20, [1, 2, 3, 4]);
        string truncated = Path.Combine(SnapDirectory, "0000000000000001-0000000000000014.snap");
        byte[] whole = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, whole.AsSpan(0, whole.Length - 1).ToArray());
        File.WriteAllBytes(Path.Combine(SnapDirectory, "0000000000000001-000000000000001e.snap"), []);
        // A valid file under another snapshot's name must not pass for that snapshot.
        File.Copy(Path.Combine(SnapDirectory, "0000000000000001-000000000000000a.snap"),
            Path.Combine(SnapDirectory, "0000000000000001-0000000000000028.snap"));

        var loaded = store.LoadNewest();
        Assert.Equal((1ul, 10ul), (loaded!.Term, loaded.Index));
        Assert.Equal(3, Directory.GetFiles(SnapDirectory, "*.broken").Length);
    }

    [Fact]
    public void Purge_keeps_the_newest_n()
    {
        var store = new SnapshotStore(SnapDirectory);
        for (ulong i = 1; i <= 7; i++)
        {
            store.Save(1, i * 10, [(byte)i]);
        }
        File.WriteAllBytes(Path.Combine(SnapDirectory, "0000000000000001-0000000000000099.snap.tmp"), [0]);
        store.Purge(keep: 3);
        Assert.Equal([(1ul, 70ul), (1ul, 60ul), (1ul, 50ul)], store.List());
        Assert.Empty(Directory.GetFiles(SnapDirectory, "*.tmp"));
    }

    [Fact]
    public void Saving_the_same_snapshot_again_replaces_it()
    {
        var store = new SnapshotStore(SnapDirectory);
        store.Save(3, 30, [1]);
        store.Save(3, 30, [2]);
        Assert.Equal([2], store.LoadNewest()!.Data);
    }
}
