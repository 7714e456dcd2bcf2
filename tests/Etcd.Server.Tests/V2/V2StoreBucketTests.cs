using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.V2.Store;
using Etcd.Storage.Backend.Memory;

namespace Etcd.Server.Tests.V2;

/// <summary>The v2 tree saved in the backend's V2Store bucket with each apply batch, and rebuilt from it.</summary>
public sealed class V2StoreBucketTests : IDisposable
{
    private readonly MemoryBackend _backend = new();
    private readonly KvStore _kv;
    private readonly V2StoreFixture _v2 = new();

    public V2StoreBucketTests() => _kv = new KvStore(_backend);

    public void Dispose()
    {
        _kv.Dispose();
        _backend.Dispose();
    }

    private void Commit()
    {
        using var batch = _kv.BeginApply();
        V2StoreBucket.Persist(batch, _v2.Store);
        batch.Commit();
    }

    private V2Store Reloaded()
    {
        var store = new V2Store(_v2.Clock, "/0", "/1");
        using var view = _backend.Snapshot();
        V2StoreBucket.Load(view, store);
        return store;
    }

    private static string Tree(V2Store store) => V2StoreFixture.Json(store.Get("/", recursive: true, sorted: true));

    [Fact]
    public void ARestartedStoreHasTheSameTreeIndexAndTtls()
    {
        _v2.Set("/a/b/c", "1");
        _v2.Set("/a/_h", "hidden");
        _v2.Set("/t", "v", ttlSeconds: 30);
        _v2.Apply(new Request { Method = "PUT", Path = "/1/e", Dir = true });
        Commit();
        _v2.Apply(new Request { Method = "DELETE", Path = "/1/a/b", Recursive = true });
        _v2.Apply(new Request { Method = "PUT", Path = "/1/a/x", Val = "y" });
        Commit();

        var reloaded = Reloaded();
        Assert.Equal(Tree(_v2.Store), Tree(reloaded));
        Assert.Equal(_v2.Store.Index, reloaded.Index);
        Assert.Equal("hidden", reloaded.Get("/1/a/_h", false, false).Node!.Value);
        Assert.True(reloaded.HasTtlKeys);
        // The TTL came back into the expiry queue.
        reloaded.DeleteExpiredKeys(_v2.Clock.NowNanos + 31_000_000_000);
        Assert.Equal(V2Error.KeyNotFound, Assert.Throws<V2Error>(() => reloaded.Get("/1/t", false, false)).Code);
    }

    [Fact]
    public void TheHistoryDoesNotSurviveARestartSoOlderIndexesAreCleared()
    {
        _v2.Set("/a", "1");
        _v2.Set("/a", "2");
        Commit();
        var reloaded = Reloaded();
        Assert.Equal(V2Error.EventIndexCleared, Assert.Throws<V2Error>(() => reloaded.Watch("/1/a", false, false, 2)).Code);
        var next = reloaded.Watch("/1/a", false, false, 3);
        Assert.False(next.Events.TryRead(out _));
        reloaded.Set("/1/a", false, "3", 0, refresh: false);
        Assert.True(next.Events.TryRead(out var e));
        Assert.Equal(3UL, e.Index);
    }

    [Fact]
    public void UncommittedChangesAreNotInTheBackend()
    {
        _v2.Set("/a", "1");
        Commit();
        _v2.Set("/b", "2");
        var reloaded = Reloaded();
        Assert.Equal(1UL, reloaded.Index);
        Assert.Equal(V2Error.KeyNotFound, Assert.Throws<V2Error>(() => reloaded.Get("/1/b", false, false)).Code);
    }
}
