using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using CompareResult = Etcd.Api.Etcdserverpb.Compare.Types.CompareResult;
using CompareTarget = Etcd.Api.Etcdserverpb.Compare.Types.CompareTarget;

namespace Etcd.Mvcc.Tests;

/// <summary>Run with values held in memory and with values read from the backend.</summary>
public abstract class TxnTestsBase : IDisposable
{
    // At revision 4: a (create 2, mod 3, version 2, value "v2", lease 1), b (create 4, version 1, value "x").
    private readonly TestStore store;

    protected TxnTestsBase(int maxCachedValueBytes)
    {
        store = new TestStore(new FixedLeases(1), maxCachedValueBytes);
        store.Put("a", "v1");
        store.Put("a", "v2", lease: 1);
        store.Put("b", "x");
    }

    public void Dispose()
    {
        store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("a", CompareTarget.Version, CompareResult.Equal, 2, null, true)]
    [InlineData("a", CompareTarget.Version, CompareResult.Equal, 1, null, false)]
    [InlineData("a", CompareTarget.Version, CompareResult.Greater, 1, null, true)]
    [InlineData("a", CompareTarget.Version, CompareResult.Less, 3, null, true)]
    [InlineData("a", CompareTarget.Version, CompareResult.NotEqual, 2, null, false)]
    [InlineData("a", CompareTarget.Create, CompareResult.Equal, 2, null, true)]
    [InlineData("a", CompareTarget.Create, CompareResult.Greater, 2, null, false)]
    [InlineData("a", CompareTarget.Create, CompareResult.Less, 3, null, true)]
    [InlineData("a", CompareTarget.Create, CompareResult.NotEqual, 5, null, true)]
    [InlineData("a", CompareTarget.Mod, CompareResult.Equal, 3, null, true)]
    [InlineData("a", CompareTarget.Mod, CompareResult.Less, 3, null, false)]
    [InlineData("a", CompareTarget.Mod, CompareResult.Greater, 2, null, true)]
    [InlineData("a", CompareTarget.Mod, CompareResult.NotEqual, 3, null, false)]
    [InlineData("a", CompareTarget.Value, CompareResult.Equal, 0, "v2", true)]
    [InlineData("a", CompareTarget.Value, CompareResult.Greater, 0, "v1", true)]
    [InlineData("a", CompareTarget.Value, CompareResult.Less, 0, "v3", true)]
    [InlineData("a", CompareTarget.Value, CompareResult.Less, 0, "v", false)]
    [InlineData("a", CompareTarget.Value, CompareResult.NotEqual, 0, "v2", false)]
    [InlineData("a", CompareTarget.Lease, CompareResult.Equal, 1, null, true)]
    [InlineData("a", CompareTarget.Lease, CompareResult.Greater, 0, null, true)]
    [InlineData("a", CompareTarget.Lease, CompareResult.Equal, 0, null, false)]
    [InlineData("b", CompareTarget.Lease, CompareResult.Equal, 0, null, true)]
    // A missing key compares as all zeros, except that a value compare always fails.
    [InlineData("zz", CompareTarget.Version, CompareResult.Equal, 0, null, true)]
    [InlineData("zz", CompareTarget.Create, CompareResult.Equal, 0, null, true)]
    [InlineData("zz", CompareTarget.Mod, CompareResult.Less, 1, null, true)]
    [InlineData("zz", CompareTarget.Lease, CompareResult.Equal, 0, null, true)]
    [InlineData("zz", CompareTarget.Value, CompareResult.Equal, 0, "", false)]
    [InlineData("zz", CompareTarget.Value, CompareResult.NotEqual, 0, "x", false)]
    public void Compares_each_target_with_each_result(string key, CompareTarget target, CompareResult result, long number, string? value, bool holds)
    {
        TxnResponse response = store.Txn(Ops.Txn([Ops.Compare(key, target, result, number, value)], [], []));
        Assert.Equal(holds, response.Succeeded);
    }

    [Fact]
    public void A_range_compare_must_hold_for_every_live_key_in_the_range()
    {
        Assert.True(Holds(Ops.Compare("a", CompareTarget.Version, CompareResult.Greater, 0, rangeEnd: "c")));
        Assert.False(Holds(Ops.Compare("a", CompareTarget.Version, CompareResult.Equal, 1, rangeEnd: "c")));
        Assert.True(Holds(Ops.Compare("a", CompareTarget.Mod, CompareResult.Less, 5, rangeEnd: "\0")));
        // No key in range: compares as one absent key.
        Assert.True(Holds(Ops.Compare("x", CompareTarget.Create, CompareResult.Equal, 0, rangeEnd: "y")));
        store.Delete("b");
        Assert.True(Holds(Ops.Compare("a", CompareTarget.Version, CompareResult.Equal, 2, rangeEnd: "c")));
    }

    [Fact]
    public void All_compares_must_hold_and_the_branch_taken_is_reported()
    {
        Compare aIsV2 = Ops.Compare("a", CompareTarget.Value, CompareResult.Equal, value: "v2");
        Compare bIsNew = Ops.Compare("b", CompareTarget.Version, CompareResult.Equal, 0);

        TxnResponse response = store.Txn(Ops.Txn([aIsV2, bIsNew], [Ops.Put("s", "1")], [Ops.Put("f", "1"), Ops.Get("f")]));

        Assert.False(response.Succeeded);
        Assert.Equal(5, response.Header.Revision);
        Assert.Equal(2, response.Responses.Count);
        Assert.Equal(5, response.Responses[0].ResponsePut.Header.Revision);
        Assert.Equal("1", Assert.Single(response.Responses[1].ResponseRange.Kvs).Value.ToStringUtf8());
        Assert.Empty(store.Get("s").Kvs);
    }

    [Fact]
    public void Reads_inside_a_transaction_see_its_earlier_writes_at_its_revision()
    {
        TxnResponse response = store.Txn(Ops.Txn([], [
            Ops.Get("a"),
            Ops.Put("a", "new"),
            Ops.Get("a"),
            Ops.Delete("b"),
            Ops.Get("\0", "\0"),
        ]));

        Assert.Equal(5, response.Header.Revision);
        RangeResponse before = response.Responses[0].ResponseRange;
        Assert.Equal(4, before.Header.Revision);
        Assert.Equal("v2", Assert.Single(before.Kvs).Value.ToStringUtf8());
        RangeResponse after = response.Responses[2].ResponseRange;
        Assert.Equal(5, after.Header.Revision);
        KeyValue a = Assert.Single(after.Kvs);
        Assert.Equal(("new", 5L, 3L), (a.Value.ToStringUtf8(), a.ModRevision, a.Version));
        Assert.Equal(5, response.Responses[3].ResponseDeleteRange.Header.Revision);
        Assert.Equal(["a"], response.Responses[4].ResponseRange.Kvs.Select(kv => kv.Key.ToStringUtf8()));
    }

    [Fact]
    public void Nested_guards_are_evaluated_before_any_operation_runs()
    {
        TxnRequest nested = Ops.Txn(
            [Ops.Compare("a", CompareTarget.Value, CompareResult.Equal, value: "v2")],
            [Ops.Put("n", "saw-old-a")],
            [Ops.Put("n", "saw-new-a")]);

        TxnResponse response = store.Txn(Ops.Txn([], [Ops.Put("a", "changed"), Ops.Nested(nested), Ops.Get("n")]));

        Assert.Equal(5, response.Header.Revision);
        TxnResponse inner = response.Responses[1].ResponseTxn;
        Assert.True(inner.Succeeded);
        Assert.NotNull(inner.Header);
        Assert.Equal(0, inner.Header.Revision);
        Assert.Equal(5, inner.Responses[0].ResponsePut.Header.Revision);
        Assert.Equal("saw-old-a", Assert.Single(response.Responses[2].ResponseRange.Kvs).Value.ToStringUtf8());
    }

    [Fact]
    public void Deeply_nested_branches_follow_their_own_guards()
    {
        TxnRequest deepest = Ops.Txn([Ops.Compare("zz", CompareTarget.Version, CompareResult.Greater, 0)], [Ops.Put("d", "then")], [Ops.Put("d", "else")]);
        TxnRequest middle = Ops.Txn([Ops.Compare("b", CompareTarget.Version, CompareResult.Equal, 1)], [Ops.Nested(deepest), Ops.Put("m", "then")], [Ops.Put("m", "else")]);

        TxnResponse response = store.Txn(Ops.Txn([], [Ops.Nested(middle)]));

        Assert.Equal(["d=else", "m=then"], store.Values(new RangeRequest { Key = TestStore.B("d"), RangeEnd = TestStore.B("n") }));
        Assert.Equal(5, response.Header.Revision);
        Assert.False(response.Responses[0].ResponseTxn.Responses[0].ResponseTxn.Succeeded);
    }

    [Fact]
    public void A_transaction_without_writes_takes_no_revision()
    {
        TxnResponse response = store.Txn(Ops.Txn([], [Ops.Get("a"), Ops.Delete("nothing")]));

        Assert.Equal(4, response.Header.Revision);
        Assert.Equal(4, response.Responses[1].ResponseDeleteRange.Header.Revision);
        Assert.Equal(4, store.Store.CurrentRevision);
    }

    [Fact]
    public void A_failing_operation_fails_the_whole_transaction_before_anything_changes()
    {
        var error = Assert.Throws<MvccException>(() => store.Txn(Ops.Txn([], [Ops.Put("c", "1"), Ops.Delete("a"), Ops.Put("d", "1", lease: 99)])));

        Assert.Equal(MvccErrorKind.LeaseNotFound, error.Kind);
        Assert.Equal(4, store.Store.CurrentRevision);
        Assert.Empty(store.Get("c").Kvs);
        Assert.Single(store.Get("a").Kvs);
        Assert.Equal(["2_0", "3_0", "4_0"], store.RecordKeys());
    }

    [Fact]
    public void Puts_are_checked_before_ranges_and_a_put_checks_its_key_before_its_lease()
    {
        var puts = Assert.Throws<MvccException>(() => store.Txn(Ops.Txn([], [
            Ops.Get("a", revision: 100),
            Ops.Put(new PutRequest { Key = TestStore.B("missing"), IgnoreValue = true, Lease = 99 }),
        ])));
        Assert.Equal(MvccErrorKind.KeyNotFound, puts.Kind);

        var ranges = Assert.Throws<MvccException>(() => store.Txn(Ops.Txn([], [Ops.Put("c", "1"), Ops.Get("a", revision: 100)])));
        Assert.Equal(MvccErrorKind.FutureRevision, ranges.Kind);
        Assert.Empty(store.Get("c").Kvs);
    }

    [Fact]
    public void Only_the_branch_taken_is_checked()
    {
        TxnResponse response = store.Txn(Ops.Txn([], [Ops.Put("c", "1")], [Ops.Put("d", "1", lease: 99)]));
        Assert.True(response.Succeeded);
    }

    [Fact]
    public void A_range_in_a_transaction_below_the_compaction_fails_even_with_a_negative_revision()
    {
        store.Compact(3);

        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Txn(Ops.Txn([], [Ops.Get("a", revision: 2)]))).Kind);
        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Txn(Ops.Txn([], [Ops.Get("a", revision: -1)]))).Kind);
        Assert.Equal("v2", Assert.Single(store.Txn(Ops.Txn([], [Ops.Get("a", revision: 3)])).Responses[0].ResponseRange.Kvs).Value.ToStringUtf8());
    }

    [Fact]
    public void Delete_then_put_of_one_key_in_one_transaction_starts_a_new_life()
    {
        store.Txn(Ops.Txn([], [Ops.Delete("a"), Ops.Put("a", "reborn")]));

        KeyValue a = Assert.Single(store.Get("a").Kvs);
        Assert.Equal((5L, 5L, 1L, 0L), (a.CreateRevision, a.ModRevision, a.Version, a.Lease));
        Assert.Equal(["2_0", "3_0", "4_0", "5_0t", "5_1"], store.RecordKeys());
    }

    [Fact]
    public void Two_puts_of_one_key_in_one_transaction_count_two_versions()
    {
        store.Txn(Ops.Txn([], [Ops.Put("b", "1"), Ops.Put("b", "2")]));

        KeyValue b = Assert.Single(store.Get("b").Kvs);
        Assert.Equal((4L, 5L, 3L, "2"), (b.CreateRevision, b.ModRevision, b.Version, b.Value.ToStringUtf8()));
    }

    [Fact]
    public void Kubernetes_update_compares_mod_revision_then_puts_or_reads()
    {
        TxnRequest Update(long expectedMod) => Ops.Txn(
            [Ops.Compare("b", CompareTarget.Mod, CompareResult.Equal, expectedMod)],
            [Ops.Put("b", $"after-{expectedMod}")],
            [Ops.Get("b")]);

        TxnResponse won = store.Txn(Update(4));
        TxnResponse lost = store.Txn(Update(4));

        Assert.True(won.Succeeded);
        Assert.False(lost.Succeeded);
        Assert.Equal(5, lost.Header.Revision);
        Assert.Equal(5, Assert.Single(lost.Responses[0].ResponseRange.Kvs).ModRevision);
    }

    private bool Holds(Compare compare) => store.Txn(Ops.Txn([compare], [], [])).Succeeded;
}

public sealed class TxnTests() : TxnTestsBase(KvStore.DefaultMaxCachedValueBytes);

public sealed class TxnTestsWithValuesInBackend() : TxnTestsBase(0);
