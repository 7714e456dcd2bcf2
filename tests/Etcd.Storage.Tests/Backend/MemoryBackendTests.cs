using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;

namespace Etcd.Storage.Tests.Backend;

public sealed class MemoryBackendTests : BackendContractTests
{
    protected override IBackend CreateBackend() => new MemoryBackend();

    protected override IBackend Restore(Stream archive) => MemoryBackend.RestoreFrom(archive);

    [Fact]
    public void Crash_loses_unsynced_commits_after_the_last_synced_one()
    {
        var backend = Own(new MemoryBackend());
        Put(backend, Bucket.Key, "a", "1");
        Put(backend, Bucket.Key, "b", "1", sync: true);
        Put(backend, Bucket.Key, "c", "1");
        Put(backend, Bucket.Key, "a", "2");
        Assert.Equal(2, backend.PendingCommitCount);

        backend.Crash();

        Assert.Equal("1", Get(backend, Bucket.Key, "a"));
        Assert.Equal("1", Get(backend, Bucket.Key, "b"));
        Assert.Null(Get(backend, Bucket.Key, "c"));
        Assert.Equal(0, backend.PendingCommitCount);
    }

    [Fact]
    public void Crash_can_keep_a_prefix_of_the_pending_commits()
    {
        var backend = Own(new MemoryBackend());
        Put(backend, Bucket.Key, "a", "1");
        Put(backend, Bucket.Key, "a", "2");
        Put(backend, Bucket.Key, "a", "3");

        backend.Crash(keepPending: 2);

        Assert.Equal("2", Get(backend, Bucket.Key, "a"));
        // What survived a crash is durable: a second crash keeps it.
        backend.Crash();
        Assert.Equal("2", Get(backend, Bucket.Key, "a"));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Crash(keepPending: 1));
    }

    [Fact]
    public void Crash_keeps_a_batch_whole_or_not_at_all()
    {
        var backend = Own(new MemoryBackend());
        using (var batch = backend.CreateBatch())
        {
            batch.Put(Bucket.Key, B("effect"), B("x"));
            batch.Put(Bucket.Meta, B("applied"), B("5"));
            backend.Commit(batch);
        }
        backend.Crash();
        Assert.Null(Get(backend, Bucket.Key, "effect"));
        Assert.Null(Get(backend, Bucket.Meta, "applied"));
    }

    [Fact]
    public void Pending_commits_are_bounded_and_the_oldest_become_durable()
    {
        var backend = Own(new MemoryBackend());
        for (int i = 0; i < MemoryBackend.MaxPendingCommits + 10; i++)
        {
            Put(backend, Bucket.Key, "n", i.ToString());
        }
        Assert.Equal(MemoryBackend.MaxPendingCommits, backend.PendingCommitCount);
        backend.Crash();
        Assert.Equal("9", Get(backend, Bucket.Key, "n"));
    }

    [Fact]
    public void Snapshots_taken_before_a_crash_keep_their_view()
    {
        var backend = Own(new MemoryBackend());
        Put(backend, Bucket.Key, "a", "1");
        using var snapshot = backend.Snapshot();
        backend.Crash();
        Assert.NotNull(snapshot.Get(Bucket.Key, B("a")));
        Assert.Null(Get(backend, Bucket.Key, "a"));
    }

    [Fact]
    public void Size_is_a_high_water_mark_until_defragment()
    {
        var backend = Own(new MemoryBackend());
        Put(backend, Bucket.Key, "k", new string('v', 1000));
        long full = backend.SizeBytes;
        using (var batch = backend.CreateBatch())
        {
            batch.Delete(Bucket.Key, B("k"));
            backend.Commit(batch);
        }
        Assert.Equal(full, backend.SizeBytes);
        Assert.Equal(0, backend.SizeInUseBytes);
        backend.Defragment();
        Assert.Equal(0, backend.SizeBytes);
    }

    [Fact]
    public void A_batch_from_another_engine_is_rejected()
    {
        var backend = Own(new MemoryBackend());
        using var foreign = new ForeignBatch();
        Assert.Throws<ArgumentException>(() => backend.Commit(foreign));
    }

    private sealed class ForeignBatch : IBackendBatch
    {
        public int Count => 0;

        public void Put(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
        }

        public void Delete(Bucket bucket, ReadOnlySpan<byte> key)
        {
        }

        public void Dispose()
        {
        }
    }
}
