using Etcd.Api.Etcdserverpb;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;

namespace Etcd.Mvcc.Tests;

/// <summary>
/// A store whose backend is replaced by another member's (a snapshot from the leader) becomes
/// that member's store in place: same object, the other history, the observer told.
/// </summary>
public sealed class RestoreTests
{
    private static MemoryBackend Copy(IBackend backend)
    {
        using var archive = new MemoryStream();
        backend.WriteSnapshotTo(archive);
        archive.Position = 0;
        return MemoryBackend.RestoreFrom(archive);
    }

    /// <summary>The leader's history: 20 revisions of puts and deletes, compacted at 5.</summary>
    private static async Task<TestStore> LeaderStoreAsync()
    {
        var leader = new TestStore();
        for (int n = 0; n < 16; n++) leader.Put("k" + (n % 6), "v" + n);
        leader.Delete("k1");
        leader.Compact(5);
        await leader.Store.WhenCompacted(5).WaitAsync(TimeSpan.FromSeconds(10));
        leader.Put("k9", "late");
        return leader;
    }

    [Fact]
    public async Task After_a_restore_the_store_answers_as_the_store_it_was_copied_from()
    {
        using var leader = await LeaderStoreAsync();
        using var backend = new ReplaceableBackend(new MemoryBackend());
        using var store = new KvStore(backend);
        using (var batch = store.BeginApply())
        {
            batch.Put(new PutRequest { Key = TestStore.B("mine"), Value = TestStore.B("gone after the restore") });
            batch.Commit();
        }
        var observer = new ObserverTests.RecordingObserver();
        store.Observer = observer;

        store.Restore(() => backend.Replace(Copy(leader.Backend)));

        Assert.Equal(leader.Store.CurrentRevision, store.CurrentRevision);
        Assert.Equal(5, store.CompactRevision);
        Assert.Equal([leader.Store.CurrentRevision], observer.Restores);
        for (long revision = 5; revision <= leader.Store.CurrentRevision; revision++)
        {
            var request = new RangeRequest { Key = TestStore.B("\0"), RangeEnd = TestStore.B("\0"), Revision = revision };
            Assert.Equal(leader.Store.Range(request).Kvs, store.Range(request).Kvs);
        }
        Assert.Empty(store.Range(new RangeRequest { Key = TestStore.B("mine") }).Kvs);
        Assert.Equal(leader.Store.HashKV(0).Hash, store.HashKV(0).Hash);

        // Writes go on from the restored revision.
        using (var batch = store.BeginApply())
        {
            batch.Put(new PutRequest { Key = TestStore.B("next"), Value = TestStore.B("x") });
            batch.Commit();
        }
        Assert.Equal(leader.Store.CurrentRevision + 1, store.CurrentRevision);
        Assert.Equal((leader.Store.CurrentRevision, leader.Store.CurrentRevision + 1), (observer.Commits[^1].After, observer.Commits[^1].Through));
    }

    [Fact]
    public async Task Readers_during_repeated_restores_see_one_whole_state_or_the_other()
    {
        // Two histories that never mix: in one every key holds "a", in the other "b".
        using var a = new TestStore();
        using var b = new TestStore();
        for (int n = 0; n < 50; n++)
        {
            a.Put("k" + n, "a");
            b.Put("k" + n, "b");
        }
        using var backend = new ReplaceableBackend(Copy(a.Backend));
        using var store = new KvStore(backend, maxCachedValueBytes: 0);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Run(() =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                var values = store.Range(new RangeRequest { Key = TestStore.B("k"), RangeEnd = TestStore.B("l") }).Kvs.Select(kv => kv.Value.ToStringUtf8()).Distinct().ToList();
                Assert.Single(values);
                reads++;
            }
            return reads;
        })).ToArray();
        for (int round = 0; round < 40; round++)
        {
            var source = round % 2 == 0 ? b : a;
            store.Restore(() => backend.Replace(Copy(source.Backend)));
        }
        await stop.CancelAsync();
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, count => Assert.True(count > 0));
    }

    [Fact]
    public void A_restore_with_an_open_batch_is_refused()
    {
        using var backend = new ReplaceableBackend(new MemoryBackend());
        using var store = new KvStore(backend);
        using var batch = store.BeginApply();
        Assert.Throws<InvalidOperationException>(() => store.Restore(() => { }));
    }
}
