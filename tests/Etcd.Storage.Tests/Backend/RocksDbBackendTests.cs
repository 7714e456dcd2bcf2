using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;
using Etcd.Storage.Backend.RocksDb;

namespace Etcd.Storage.Tests.Backend;

public sealed class RocksDbBackendTests : BackendContractTests
{
    private readonly TempDirectory _temp = new();
    private int _databases;

    // Each restore creates a database; the memory engine's run covers every byte of the shared format.
    protected override int DamageStride => 7;

    protected override IBackend CreateBackend() => RocksDbBackend.Open(_temp.Combine($"db{_databases++}"));

    protected override IBackend Restore(Stream archive)
    {
        string directory = _temp.Combine($"restored{_databases++}");
        RocksDbBackend.RestoreFrom(archive, directory);
        return RocksDbBackend.Open(directory);
    }

    public override void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Committed_data_survives_close_and_reopen()
    {
        string directory = _temp.Combine("member", "snap", "db");
        using (var backend = RocksDbBackend.Open(directory))
        {
            Put(backend, Bucket.Key, "a", "1");
            Put(backend, Bucket.Meta, "consistent_index", "9", sync: true);
            Put(backend, Bucket.Key, "b", "2");
        }
        using (var reopened = RocksDbBackend.Open(directory))
        {
            Assert.Equal("1", Get(reopened, Bucket.Key, "a"));
            Assert.Equal("2", Get(reopened, Bucket.Key, "b"));
            Assert.Equal("9", Get(reopened, Bucket.Meta, "consistent_index"));
        }
    }

    [Fact]
    public void A_failed_open_reports_rocksdbs_error()
    {
        string directory = _temp.Combine("locked");
        using var first = RocksDbBackend.Open(directory);
        // RocksDB holds a file lock on an open database; its message comes back through errptr.
        var error = Assert.Throws<IOException>(() => RocksDbBackend.Open(directory));
        Assert.Contains("lock", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Properties_and_defragment_reach_the_native_library()
    {
        var backend = Own(CreateBackend());
        using (var batch = backend.CreateBatch())
        {
            for (int i = 0; i < 100; i++)
            {
                batch.Put(Bucket.Key, B($"key-{i:D3}"), new byte[1000]);
            }
            backend.Commit(batch, sync: true);
        }
        Assert.True(backend.SizeBytes > 0);
        Assert.InRange(backend.SizeInUseBytes, 1, backend.SizeBytes);

        backend.Defragment();

        // Compaction flushed the memtable into a table file; the data is still there.
        Assert.True(backend.SizeBytes > 0);
        using var snapshot = backend.Snapshot();
        Assert.Equal(100, Scan(snapshot, Bucket.Key, "", "").Count);
    }

    [Fact]
    public void Long_keys_take_the_pooled_path()
    {
        var backend = Own(CreateBackend());
        string longKey = new('k', 10_000);
        Put(backend, Bucket.Key, longKey, "v");
        Put(backend, Bucket.Key, longKey + "x", "w");
        Assert.Equal("v", Get(backend, Bucket.Key, longKey));
        using var snapshot = backend.Snapshot();
        Assert.Equal([longKey + "x=w"], Scan(snapshot, Bucket.Key, longKey + "\0", longKey + "y"));
    }

    [Fact]
    public void Scan_allocates_nothing_per_pair()
    {
        var backend = Own(CreateBackend());
        using (var batch = backend.CreateBatch())
        {
            for (int i = 0; i < 1000; i++)
            {
                batch.Put(Bucket.Key, B($"key-{i:D4}"), new byte[100]);
            }
            backend.Commit(batch);
        }
        using var snapshot = backend.Snapshot();
        int pairs = 0;
        ScanVisitor count = (key, value) =>
        {
            pairs++;
            return true;
        };
        snapshot.Scan(Bucket.Key, [], [], count);

        long before = GC.GetAllocatedBytesForCurrentThread();
        snapshot.Scan(Bucket.Key, [], [], count);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2000, pairs);
        // A pair's key and value alone would be over 100 KB if copied.
        Assert.True(allocated < 1024, $"{allocated} bytes allocated by a 1000-pair scan");
    }

    [Fact]
    public void A_snapshot_taken_before_dispose_reads_on_and_the_database_closes_when_it_is_released()
    {
        var backend = (RocksDbBackend)CreateBackend();
        Put(backend, Bucket.Key, "a", "1");
        var snapshot = backend.Snapshot();
        backend.Dispose();

        // Closed to new work, open for the reader that was there first.
        Assert.Throws<ObjectDisposedException>(() => backend.Snapshot());
        Assert.Throws<ObjectDisposedException>(() => backend.CreateBatch());
        Assert.False(backend.Closed.IsCompleted);
        Assert.Equal(B("1"), snapshot.Get(Bucket.Key, B("a")));

        snapshot.Dispose();
        Assert.True(backend.Closed.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => snapshot.Get(Bucket.Key, B("a")));
        snapshot.Dispose();
    }

    [Fact]
    public async Task Dispose_during_concurrent_scans_commits_and_size_queries_never_frees_what_is_in_use()
    {
        // Before reference counting, Dispose freed the native database under running scans: a
        // crash of the whole process (use after free), not an exception.
        for (var round = 0; round < 20; round++)
        {
            var backend = (RocksDbBackend)CreateBackend();
            for (var n = 0; n < 200; n++) Put(backend, Bucket.Key, $"k{n:d4}", new string('v', 100));
            using var go = new Barrier(5);
            var failures = 0;
            var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
            {
                go.SignalAndWait();
                for (var i = 0; i < 200; i++)
                {
                    try
                    {
                        switch ((worker + i) % 4)
                        {
                            case 0:
                                using (var view = backend.Snapshot())
                                {
                                    var seen = 0;
                                    view.Scan(Bucket.Key, [], [], (_, _) => ++seen > 0);
                                    if (seen != 200) Interlocked.Increment(ref failures);
                                }
                                break;
                            case 1:
                                _ = backend.SizeBytes + backend.SizeInUseBytes;
                                break;
                            case 2:
                                using (var batch = backend.CreateBatch())
                                {
                                    batch.Put(Bucket.Meta, B("m"), B("x"));
                                    backend.Commit(batch);
                                }
                                break;
                            default:
                                using (var view = backend.Snapshot()) _ = view.Get(Bucket.Key, B("k0001"));
                                break;
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        // Refused after Dispose: the one allowed outcome of a late call.
                    }
                }
            })).ToArray();
            go.SignalAndWait();
            backend.Dispose();
            await Task.WhenAll(workers);
            Assert.Equal(0, failures);
            Assert.True(backend.Closed.IsCompleted);
        }
    }

    [Fact]
    public void A_batch_from_another_backend_is_rejected()
    {
        var first = Own(CreateBackend());
        var second = Own(CreateBackend());
        using var batch = first.CreateBatch();
        batch.Put(Bucket.Key, B("a"), B("1"));
        Assert.Throws<ArgumentException>(() => second.Commit(batch));
    }

    [Fact]
    public void Restore_refuses_a_non_empty_directory_and_leaves_nothing_on_failure()
    {
        string occupied = _temp.Combine("occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "file"), "x");
        Assert.Throws<IOException>(() => RocksDbBackend.RestoreFrom(new MemoryStream(), occupied));

        string target = _temp.Combine("target");
        Assert.Throws<InvalidDataException>(() => RocksDbBackend.RestoreFrom(new MemoryStream([1, 2, 3]), target));
        Assert.False(Directory.Exists(target));
        Assert.False(Directory.Exists(target + ".restoring"));
    }

    [Fact]
    public void An_archive_from_the_memory_engine_restores_into_rocksdb()
    {
        using var memory = new MemoryBackend();
        Put(memory, Bucket.Members, "m1", "peer");
        Put(memory, Bucket.Key, "rev", "kv");
        using var archive = new MemoryStream();
        memory.WriteSnapshotTo(archive);
        archive.Position = 0;

        var restored = Own(Restore(archive));
        Assert.Equal("peer", Get(restored, Bucket.Members, "m1"));
        Assert.Equal("kv", Get(restored, Bucket.Key, "rev"));
    }
}
