using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc.Tests;

public sealed class PutAndDeleteTests
{
    [Fact]
    public void An_empty_store_is_at_revision_1_and_each_put_takes_the_next()
    {
        using var store = new TestStore();
        Assert.Equal(1, store.Store.CurrentRevision);

        Assert.Equal(2, store.Put("a", "1").Header.Revision);
        Assert.Equal(3, store.Put("a", "2").Header.Revision);
        Assert.Equal(4, store.Put("b", "1").Header.Revision);

        Assert.Equal(4, store.Store.CurrentRevision);
        KeyValue a = Assert.Single(store.Get("a").Kvs);
        Assert.Equal((2L, 3L, 2L), (a.CreateRevision, a.ModRevision, a.Version));
        Assert.Equal("2", a.Value.ToStringUtf8());
        KeyValue b = Assert.Single(store.Get("b").Kvs);
        Assert.Equal((4L, 4L, 1L), (b.CreateRevision, b.ModRevision, b.Version));
    }

    [Fact]
    public void Changes_of_one_transaction_share_a_main_revision_with_increasing_sub_revisions()
    {
        using var store = new TestStore();
        store.Put("x", "0");
        var txn = new TxnRequest();
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = TestStore.B("a"), Value = TestStore.B("1") } });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = TestStore.B("b"), Value = TestStore.B("1") } });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = TestStore.B("x") } });

        TxnResponse response = store.Txn(txn);

        Assert.Equal(3, response.Header.Revision);
        Assert.Equal(["2_0", "3_0", "3_1", "3_2t"], store.RecordKeys());
    }

    [Theory]
    [MemberData(nameof(TestStore.ValueCaching), MemberType = typeof(TestStore))]
    public void Delete_writes_a_tombstone_and_recreation_starts_a_new_life(int maxCachedValueBytes)
    {
        using var store = new TestStore(maxCachedValueBytes: maxCachedValueBytes);
        store.Put("a", "1");
        store.Put("a", "2");

        DeleteRangeResponse deleted = store.Delete("a", prevKv: true);

        Assert.Equal(1, deleted.Deleted);
        Assert.Equal(4, deleted.Header.Revision);
        Assert.Equal("2", Assert.Single(deleted.PrevKvs).Value.ToStringUtf8());
        Assert.Empty(store.Get("a").Kvs);
        Assert.Equal(["2_0", "3_0", "4_0t"], store.RecordKeys());

        store.Put("a", "3");
        KeyValue again = Assert.Single(store.Get("a").Kvs);
        Assert.Equal((5L, 5L, 1L), (again.CreateRevision, again.ModRevision, again.Version));
        // The old life stays readable.
        KeyValue old = Assert.Single(store.Get("a", revision: 3).Kvs);
        Assert.Equal((2L, 3L, 2L), (old.CreateRevision, old.ModRevision, old.Version));
        Assert.Empty(store.Get("a", revision: 4).Kvs);
    }

    [Fact]
    public void Deleting_nothing_takes_no_revision()
    {
        using var store = new TestStore();
        store.Put("a", "1");

        DeleteRangeResponse response = store.Delete("b", "c");

        Assert.Equal(0, response.Deleted);
        Assert.Equal(2, response.Header.Revision);
        Assert.Equal(2, store.Store.CurrentRevision);
    }

    [Theory]
    [MemberData(nameof(TestStore.ValueCaching), MemberType = typeof(TestStore))]
    public void Delete_range_removes_every_live_key_in_range_in_key_order(int maxCachedValueBytes)
    {
        using var store = new TestStore(maxCachedValueBytes: maxCachedValueBytes);
        foreach (string key in new[] { "a", "b1", "b2", "b3", "c" })
        {
            store.Put(key, key);
        }
        store.Delete("b2");

        DeleteRangeResponse response = store.Delete("b", "c", prevKv: true);

        Assert.Equal(2, response.Deleted);
        Assert.Equal(["b1", "b3"], response.PrevKvs.Select(kv => kv.Key.ToStringUtf8()));
        Assert.Equal(["a=a", "c=c"], store.Values(new RangeRequest { Key = TestStore.B("\0"), RangeEnd = TestStore.B("\0") }));
    }

    [Fact]
    public void Delete_from_key_and_everything()
    {
        using var store = new TestStore();
        foreach (string key in new[] { "a", "b", "c" })
        {
            store.Put(key, key);
        }

        Assert.Equal(2, store.Delete("b", "\0").Deleted);
        Assert.Equal(1, store.Delete("\0", "\0").Deleted);
        Assert.Equal(0, store.Get("\0", "\0").Count);
    }

    [Theory]
    [MemberData(nameof(TestStore.ValueCaching), MemberType = typeof(TestStore))]
    public void Put_returns_the_previous_record_when_asked(int maxCachedValueBytes)
    {
        using var store = new TestStore(maxCachedValueBytes: maxCachedValueBytes);
        Assert.Null(store.Put("a", "1", prevKv: true).PrevKv);

        PutResponse response = store.Put("a", "2", prevKv: true);

        Assert.Equal("1", response.PrevKv.Value.ToStringUtf8());
        Assert.Equal(2, response.PrevKv.ModRevision);
        Assert.Null(store.Put("a", "3").PrevKv);
    }

    [Theory]
    [MemberData(nameof(TestStore.ValueCaching), MemberType = typeof(TestStore))]
    public void Ignore_value_and_ignore_lease_keep_the_current_ones(int maxCachedValueBytes)
    {
        using var store = new TestStore(new FixedLeases(7, 8), maxCachedValueBytes);
        store.Put("a", "1", lease: 7);

        store.Apply(b => b.Put(new PutRequest { Key = TestStore.B("a"), IgnoreValue = true, Lease = 8 }));
        KeyValue afterValueKept = Assert.Single(store.Get("a").Kvs);
        Assert.Equal(("1", 8L, 2L), (afterValueKept.Value.ToStringUtf8(), afterValueKept.Lease, afterValueKept.Version));

        store.Apply(b => b.Put(new PutRequest { Key = TestStore.B("a"), Value = TestStore.B("2"), IgnoreLease = true }));
        KeyValue afterLeaseKept = Assert.Single(store.Get("a").Kvs);
        Assert.Equal(("2", 8L), (afterLeaseKept.Value.ToStringUtf8(), afterLeaseKept.Lease));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Ignoring_fields_of_a_missing_key_fails_with_key_not_found(bool ignoreValue, bool ignoreLease)
    {
        using var store = new TestStore();
        store.Put("gone", "1");
        store.Delete("gone");

        foreach (string key in new[] { "never", "gone" })
        {
            var error = Assert.Throws<MvccException>(() => store.Apply(b => b.Put(
                new PutRequest { Key = TestStore.B(key), IgnoreValue = ignoreValue, IgnoreLease = ignoreLease })));
            Assert.Equal(MvccErrorKind.KeyNotFound, error.Kind);
            Assert.Equal("etcdserver: key not found", error.Message);
        }
        Assert.Equal(3, store.Store.CurrentRevision);
    }

    [Fact]
    public void A_put_with_an_unknown_lease_fails_and_changes_nothing()
    {
        using var store = new TestStore(new FixedLeases(5));

        var error = Assert.Throws<MvccException>(() => store.Put("a", "1", lease: 6));

        Assert.Equal(MvccErrorKind.LeaseNotFound, error.Kind);
        Assert.Equal("etcdserver: requested lease not found", error.Message);
        Assert.Equal(1, store.Store.CurrentRevision);
        Assert.Empty(store.Get("a").Kvs);
    }

    [Fact]
    public void Without_a_lease_lookup_every_lease_is_unknown()
    {
        using var store = new TestStore();
        Assert.Equal(MvccErrorKind.LeaseNotFound, Assert.Throws<MvccException>(() => store.Put("a", "1", lease: 1)).Kind);
    }

    [Fact]
    public void A_standalone_put_checks_the_lease_before_the_key()
    {
        using var store = new TestStore();
        var error = Assert.Throws<MvccException>(() => store.Apply(b => b.Put(
            new PutRequest { Key = TestStore.B("a"), IgnoreValue = true, Lease = 9 })));
        Assert.Equal(MvccErrorKind.LeaseNotFound, error.Kind);
    }

    [Fact]
    public void Keys_follow_their_lease_and_revoking_deletes_them_in_one_revision()
    {
        using var store = new TestStore(new FixedLeases(1, 2));
        store.Put("a", "1", lease: 1);
        store.Put("b", "1", lease: 1);
        store.Put("c", "1", lease: 2);
        store.Put("b", "2", lease: 2);
        store.Put("d", "1", lease: 1);
        store.Delete("d");

        Assert.Equal(["a"], store.Store.KeysWithLease(1).Select(k => System.Text.Encoding.UTF8.GetString(k)));
        Assert.Equal(["b", "c"], store.Store.KeysWithLease(2).Select(k => System.Text.Encoding.UTF8.GetString(k)));

        long before = store.Store.CurrentRevision;
        int deleted = store.Apply(b => b.DeleteKeysOfLease(2));

        Assert.Equal(2, deleted);
        Assert.Equal(before + 1, store.Store.CurrentRevision);
        Assert.Empty(store.Store.KeysWithLease(2));
        Assert.Equal(["a=1"], store.Values(new RangeRequest { Key = TestStore.B("\0"), RangeEnd = TestStore.B("\0") }));
        Assert.Equal(0, store.Apply(b => b.DeleteKeysOfLease(2)));
        Assert.Equal(before + 1, store.Store.CurrentRevision);
    }
}
