namespace Etcd.Mvcc.Tests;

public sealed class HashTests : IDisposable
{
    private readonly TestStore store = new();

    public HashTests()
    {
        store.Put("a", "1");
        store.Put("a", "2");
        store.Put("b", "1");
        store.Delete("b");
        store.Put("c", "1");
        store.Put("a", "3");
    }

    public void Dispose() => store.Dispose();

    // The expected values are what etcd 3.4.23 answered to `etcdctl endpoint hashkv` after the
    // same sequence of etcdctl put/del/compact commands on a fresh member.
    [Fact]
    public void Hashes_equal_etcds_for_the_same_history()
    {
        Assert.Equal(new KvHash(1228504297, 7, -1), store.Store.HashKV(0));
        Assert.Equal(new KvHash(252186706, 7, -1), store.Store.HashKV(5));
    }

    [Fact]
    public async Task Hash_after_compaction_equals_etcds_before_and_after_the_records_are_removed()
    {
        store.Compact(5);
        Assert.Equal(new KvHash(643951048, 7, 5), store.Store.HashKV(0));

        await store.Store.WhenCompacted(5);
        Assert.Equal(new KvHash(643951048, 7, 5), store.Store.HashKV(0));
    }

    [Fact]
    public void Hashing_at_or_below_the_compaction_or_in_the_future_fails()
    {
        store.Compact(5);

        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Store.HashKV(5)).Kind);
        Assert.Equal(MvccErrorKind.FutureRevision, Assert.Throws<MvccException>(() => store.Store.HashKV(8)).Kind);
    }

    [Fact]
    public void Reopening_does_not_change_the_hash()
    {
        KvHash before = store.Store.HashKV(0);
        store.Reopen();
        Assert.Equal(before, store.Store.HashKV(0));
    }
}
