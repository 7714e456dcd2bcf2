using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using SortOrder = Etcd.Api.Etcdserverpb.RangeRequest.Types.SortOrder;
using SortTarget = Etcd.Api.Etcdserverpb.RangeRequest.Types.SortTarget;

namespace Etcd.Mvcc.Tests;

/// <summary>Run with values held in memory and with values read from the backend.</summary>
public abstract class RangeTestsBase : IDisposable
{
    // At revision 8:  key  create  mod  version  value
    //                 a    2       2    1        z
    //                 b    3       5    2        w
    //                 c    4       8    3        u
    //                 d    6       6    1        x
    private readonly TestStore store;

    protected RangeTestsBase(int maxCachedValueBytes)
    {
        store = new TestStore(maxCachedValueBytes: maxCachedValueBytes);
        store.Put("a", "z");
        store.Put("b", "y");
        store.Put("c", "x");
        store.Put("b", "w");
        store.Put("d", "x");
        store.Put("c", "v");
        store.Put("c", "u");
    }

    public void Dispose()
    {
        store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Key_forms_single_prefix_from_key_all_and_empty()
    {
        Assert.Equal(["b=w"], store.Values(Request("b")));
        Assert.Empty(store.Values(Request("bb")));
        Assert.Equal(["b=w"], store.Values(Request("b", "c")));
        Assert.Equal(["b=w", "c=u", "d=x"], store.Values(Request("b", "\0")));
        Assert.Equal(["a=z", "b=w", "c=u", "d=x"], store.Values(Request("\0", "\0")));
        Assert.Empty(store.Values(Request("c", "b")));
    }

    [Fact]
    public void Count_is_all_matching_keys_and_more_tells_the_limit_cut()
    {
        RangeResponse limited = store.Store.Range(All(r => r.Limit = 2));
        Assert.Equal(["a", "b"], Keys(limited));
        Assert.True(limited.More);
        Assert.Equal(4, limited.Count);

        RangeResponse exact = store.Store.Range(All(r => r.Limit = 4));
        Assert.Equal(4, exact.Kvs.Count);
        Assert.False(exact.More);

        RangeResponse beyond = store.Store.Range(All(r => r.Limit = 10));
        Assert.False(beyond.More);
        Assert.Equal(4, beyond.Count);
    }

    [Fact]
    public void Paging_from_the_last_key_at_a_fixed_revision_sees_every_key_once()
    {
        RangeResponse first = store.Store.Range(All(r => r.Limit = 3));
        store.Put("e", "new");
        store.Delete("a");

        RangeResponse second = store.Store.Range(new RangeRequest
        {
            Key = TestStore.B(first.Kvs[^1].Key.ToStringUtf8() + "\0"),
            RangeEnd = TestStore.B("\0"),
            Limit = 3,
            Revision = first.Header.Revision,
        });

        Assert.Equal(["a", "b", "c"], Keys(first));
        Assert.Equal(["d"], Keys(second));
        Assert.False(second.More);
        Assert.Equal(10, second.Header.Revision);
    }

    [Theory]
    [InlineData(SortTarget.Key, SortOrder.Ascend, "a,b,c,d")]
    [InlineData(SortTarget.Key, SortOrder.Descend, "d,c,b,a")]
    [InlineData(SortTarget.Key, SortOrder.None, "a,b,c,d")]
    [InlineData(SortTarget.Version, SortOrder.Ascend, "a,d,b,c")]
    [InlineData(SortTarget.Version, SortOrder.Descend, "c,b,a,d")]
    [InlineData(SortTarget.Version, SortOrder.None, "a,d,b,c")]
    [InlineData(SortTarget.Create, SortOrder.Ascend, "a,b,c,d")]
    [InlineData(SortTarget.Create, SortOrder.Descend, "d,c,b,a")]
    [InlineData(SortTarget.Mod, SortOrder.Ascend, "a,b,d,c")]
    [InlineData(SortTarget.Mod, SortOrder.Descend, "c,d,b,a")]
    [InlineData(SortTarget.Value, SortOrder.Ascend, "c,b,d,a")]
    [InlineData(SortTarget.Value, SortOrder.Descend, "a,d,b,c")]
    public void Sorts_by_each_target_in_both_orders_with_ties_in_key_order(SortTarget target, SortOrder order, string expected)
    {
        RangeResponse response = store.Store.Range(All(r =>
        {
            r.SortTarget = target;
            r.SortOrder = order;
        }));

        Assert.Equal(expected, string.Join(',', Keys(response)));
    }

    [Fact]
    public void Sorting_happens_before_the_limit()
    {
        RangeResponse response = store.Store.Range(All(r =>
        {
            r.SortTarget = SortTarget.Mod;
            r.SortOrder = SortOrder.Descend;
            r.Limit = 2;
        }));

        Assert.Equal(["c", "d"], Keys(response));
        Assert.True(response.More);
        Assert.Equal(4, response.Count);
    }

    [Fact]
    public void A_sort_target_without_sort_order_sorts_only_the_limited_keys_as_etcd_does()
    {
        // etcd fetches limit+1 keys in key order (a, b, c), sorts those by version, then cuts.
        RangeResponse response = store.Store.Range(All(r =>
        {
            r.SortTarget = SortTarget.Version;
            r.Limit = 2;
        }));

        Assert.Equal(["a", "b"], Keys(response));
        Assert.True(response.More);
    }

    [Fact]
    public void Count_only_returns_the_count_alone()
    {
        RangeResponse response = store.Store.Range(All(r =>
        {
            r.CountOnly = true;
            r.Limit = 1;
        }));

        Assert.Empty(response.Kvs);
        Assert.Equal(4, response.Count);
        Assert.False(response.More);
    }

    [Fact]
    public void Keys_only_drops_values_and_keeps_the_rest()
    {
        RangeResponse response = store.Store.Range(Request("c", keysOnly: true));

        KeyValue c = Assert.Single(response.Kvs);
        Assert.True(c.Value.IsEmpty);
        Assert.Equal((4L, 8L, 3L), (c.CreateRevision, c.ModRevision, c.Version));
        Assert.Equal("u", Assert.Single(store.Get("c").Kvs).Value.ToStringUtf8());
    }

    [Fact]
    public void Mod_and_create_revision_bounds_filter_results_but_not_the_count()
    {
        Assert.Equal(["b", "c", "d"], Keys(store.Store.Range(All(r => r.MinModRevision = 5))));
        Assert.Equal(["a", "b"], Keys(store.Store.Range(All(r => r.MaxModRevision = 5))));
        Assert.Equal(["c", "d"], Keys(store.Store.Range(All(r => r.MinCreateRevision = 4))));
        Assert.Equal(["a", "b"], Keys(store.Store.Range(All(r => r.MaxCreateRevision = 3))));
        Assert.Equal(["b", "d"], Keys(store.Store.Range(All(r =>
        {
            r.MinModRevision = 3;
            r.MaxModRevision = 7;
            r.MinCreateRevision = 3;
        }))));

        RangeResponse limited = store.Store.Range(All(r =>
        {
            r.MinModRevision = 5;
            r.Limit = 1;
        }));
        Assert.Equal(["b"], Keys(limited));
        Assert.True(limited.More);
        Assert.Equal(4, limited.Count);
    }

    [Fact]
    public void Reads_at_past_revisions_see_history_and_the_header_carries_the_current_revision()
    {
        RangeResponse atFour = store.Store.Range(All(r => r.Revision = 4));
        Assert.Equal(["a=z", "b=y", "c=x"], store.Values(All(r => r.Revision = 4)));
        Assert.Equal(8, atFour.Header.Revision);
        Assert.Equal(3, atFour.Count);

        Assert.Equal(["a=z", "b=w", "c=x", "d=x"], store.Values(All(r => r.Revision = 6)));
        Assert.Equal(["c=v"], store.Values(Request("c", revision: 7)));
        Assert.Empty(store.Values(All(r => r.Revision = 1)));
        Assert.Equal(["a=z", "b=w", "c=u", "d=x"], store.Values(All(r => r.Revision = -3)));
    }

    [Fact]
    public void A_future_revision_fails()
    {
        var error = Assert.Throws<MvccException>(() => store.Store.Range(All(r => r.Revision = 9)));
        Assert.Equal(MvccErrorKind.FutureRevision, error.Kind);
        Assert.Equal("mvcc: required revision is a future revision", error.Message);
    }

    [Fact]
    public void A_compacted_revision_fails_and_the_compaction_revision_itself_reads()
    {
        store.Compact(5);

        var error = Assert.Throws<MvccException>(() => store.Store.Range(All(r => r.Revision = 4)));
        Assert.Equal(MvccErrorKind.Compacted, error.Kind);
        Assert.Equal("mvcc: required revision has been compacted", error.Message);
        Assert.Equal(["a=z", "b=w", "c=x"], store.Values(All(r => r.Revision = 5)));
    }

    [Fact]
    public void Records_from_memory_and_from_the_backend_are_equal()
    {
        KeyValue fromMemory = Assert.Single(store.Get("a").Kvs);
        store.Put("a", "later");
        KeyValue fromBackend = Assert.Single(store.Get("a", revision: 8).Kvs);

        Assert.Equal(fromMemory, fromBackend);
        Assert.Equal((2L, 2L, 1L, "z"), (fromBackend.CreateRevision, fromBackend.ModRevision, fromBackend.Version, fromBackend.Value.ToStringUtf8()));
    }

    private static RangeRequest Request(string key, string? rangeEnd = null, long revision = 0, bool keysOnly = false) => new()
    {
        Key = TestStore.B(key),
        RangeEnd = TestStore.B(rangeEnd ?? ""),
        Revision = revision,
        KeysOnly = keysOnly,
    };

    private static RangeRequest All(Action<RangeRequest> configure)
    {
        RangeRequest request = Request("\0", "\0");
        configure(request);
        return request;
    }

    private static List<string> Keys(RangeResponse response) => response.Kvs.Select(kv => kv.Key.ToStringUtf8()).ToList();
}

public sealed class RangeTests() : RangeTestsBase(KvStore.DefaultMaxCachedValueBytes);

public sealed class RangeTestsWithValuesInBackend() : RangeTestsBase(0);
