using Etcd.Api.Etcdserverpb;
using Etcd.Server.V2.Store;

namespace Etcd.Server.Tests.V2;

/// <summary>The v2 store's operations, applied as committed requests, against etcd 3.4's answers.</summary>
public sealed class V2StoreTests
{
    private readonly V2StoreFixture _v2 = new();

    [Fact]
    public void SetAnswersCreatedThenReplacedWithThePreviousNode()
    {
        var first = _v2.Set("/foo", "bar");
        Assert.True(first.IsCreated);
        Assert.Equal("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":1,\"createdIndex\":1}}", V2StoreFixture.Json(first));
        var second = _v2.Set("/foo", "baz");
        Assert.False(second.IsCreated);
        Assert.Equal("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"baz\",\"modifiedIndex\":2,\"createdIndex\":2}," +
            "\"prevNode\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":1,\"createdIndex\":1}}", V2StoreFixture.Json(second));
        Assert.Equal(2UL, _v2.Store.Index);
    }

    [Fact]
    public void ReadsAndFailedWritesTakeNoIndex()
    {
        _v2.Set("/foo", "bar");
        _v2.Store.Get("/1/foo", recursive: false, sorted: false);
        var failed = _v2.Fails(new Request { Method = "PUT", Path = "/1/foo", Val = "x", PrevValue = "nope" });
        Assert.Equal(V2Error.TestFailed, failed.Code);
        Assert.Equal("[nope != bar]", failed.Cause);
        Assert.Equal(1UL, failed.Index);
        Assert.Equal(1UL, _v2.Store.Index);
        var quorum = _v2.Apply(new Request { Method = "QGET", Path = "/1/foo" });
        Assert.Equal("get", quorum.Action);
        Assert.Equal(1UL, _v2.Store.Index);
    }

    [Fact]
    public void CompareAndSwapChecksValueIndexOrBoth()
    {
        _v2.Set("/k", "v1");
        Assert.Equal("[5 != 1]", _v2.Fails(new Request { Method = "PUT", Path = "/1/k", Val = "x", PrevIndex = 5 }).Cause);
        Assert.Equal("[no != v1] [5 != 1]", _v2.Fails(new Request { Method = "PUT", Path = "/1/k", Val = "x", PrevIndex = 5, PrevValue = "no" }).Cause);
        var swapped = _v2.Apply(new Request { Method = "PUT", Path = "/1/k", Val = "v2", PrevIndex = 1, PrevValue = "v1" });
        Assert.Equal("{\"action\":\"compareAndSwap\",\"node\":{\"key\":\"/k\",\"value\":\"v2\",\"modifiedIndex\":2,\"createdIndex\":1}," +
            "\"prevNode\":{\"key\":\"/k\",\"value\":\"v1\",\"modifiedIndex\":1,\"createdIndex\":1}}", V2StoreFixture.Json(swapped));
        _v2.Apply(new Request { Method = "PUT", Path = "/1/d", Dir = true });
        var onDir = _v2.Fails(new Request { Method = "PUT", Path = "/1/d", Val = "x", PrevValue = "y" });
        Assert.Equal((V2Error.NotFile, "/1/d", 403), (onDir.Code, onDir.Cause, onDir.HttpStatus));
    }

    [Fact]
    public void PrevExistChoosesCreateOrUpdate()
    {
        _v2.Set("/k", "v");
        var exists = _v2.Fails(new Request { Method = "PUT", Path = "/1/k", Val = "x", PrevExist = false });
        Assert.Equal((V2Error.NodeExist, "/1/k", 412), (exists.Code, exists.Cause, exists.HttpStatus));
        var missing = _v2.Fails(new Request { Method = "PUT", Path = "/1/none", Val = "x", PrevExist = true });
        Assert.Equal((V2Error.KeyNotFound, "/1/none", 404), (missing.Code, missing.Cause, missing.HttpStatus));
        var updated = _v2.Apply(new Request { Method = "PUT", Path = "/1/k", Val = "u", PrevExist = true });
        Assert.Equal("update", updated.Action);
        Assert.Equal("create", _v2.Apply(new Request { Method = "PUT", Path = "/1/new", Val = "x", PrevExist = false }).Action);
    }

    [Fact]
    public void PostMakesInOrderKeysNamedByTheirIndex()
    {
        _v2.Set("/other", "x");
        var first = _v2.Apply(new Request { Method = "POST", Path = "/1/queue", Val = "a" });
        var second = _v2.Apply(new Request { Method = "POST", Path = "/1/queue", Val = "b" });
        Assert.Equal("/1/queue/00000000000000000002", first.Node!.Key);
        Assert.Equal("/1/queue/00000000000000000003", second.Node!.Key);
        Assert.Equal("create", first.Action);
    }

    [Fact]
    public void DirectoriesNeedDirOrRecursiveToBeDeleted()
    {
        _v2.Set("/d/a/b", "1");
        Assert.Equal(V2Error.NotFile, _v2.Fails(new Request { Method = "DELETE", Path = "/1/d" }).Code);
        var notEmpty = _v2.Fails(new Request { Method = "DELETE", Path = "/1/d", Dir = true });
        Assert.Equal((V2Error.DirNotEmpty, "/1/d", 403), (notEmpty.Code, notEmpty.Cause, notEmpty.HttpStatus));
        var underKey = _v2.Fails(new Request { Method = "PUT", Path = "/1/d/a/b/c", Val = "x" });
        Assert.Equal((V2Error.NotDir, "/1/d/a/b"), (underKey.Code, underKey.Cause));
        Assert.Equal(V2Error.NotFile, _v2.Fails(new Request { Method = "PUT", Path = "/1/d", Val = "x" }).Code);
        var deleted = _v2.Apply(new Request { Method = "DELETE", Path = "/1/d", Recursive = true });
        Assert.Equal("{\"action\":\"delete\",\"node\":{\"key\":\"/d\",\"dir\":true,\"modifiedIndex\":2,\"createdIndex\":1}," +
            "\"prevNode\":{\"key\":\"/d\",\"dir\":true,\"modifiedIndex\":1,\"createdIndex\":1}}", V2StoreFixture.Json(deleted));
        Assert.Equal(V2Error.KeyNotFound, Assert.Throws<V2Error>(() => _v2.Store.Get("/1/d/a", false, false)).Code);
    }

    [Fact]
    public void TheRootAndNamespacesAreReadOnly()
    {
        var error = _v2.Fails(new Request { Method = "PUT", Path = "/1", Val = "x" });
        Assert.Equal((V2Error.RootReadOnly, "/", 400), (error.Code, error.Cause, error.HttpStatus));
        Assert.Equal(V2Error.RootReadOnly, _v2.Fails(new Request { Method = "DELETE", Path = "/1", Recursive = true }).Code);
    }

    [Fact]
    public void ListingsHideUnderscoreKeysAndSortWhenAsked()
    {
        _v2.Set("/d/b", "2");
        _v2.Set("/d/_hidden", "h");
        _v2.Set("/d/a/x", "1");
        var listing = _v2.Store.Get("/1/d", recursive: true, sorted: true);
        Assert.Equal("{\"action\":\"get\",\"node\":{\"key\":\"/d\",\"dir\":true,\"nodes\":[" +
            "{\"key\":\"/d/a\",\"dir\":true,\"nodes\":[{\"key\":\"/d/a/x\",\"value\":\"1\",\"modifiedIndex\":3,\"createdIndex\":3}],\"modifiedIndex\":3,\"createdIndex\":3}," +
            "{\"key\":\"/d/b\",\"value\":\"2\",\"modifiedIndex\":1,\"createdIndex\":1}],\"modifiedIndex\":1,\"createdIndex\":1}}", V2StoreFixture.Json(listing));
        // The hidden key itself can be read.
        Assert.Equal("h", _v2.Store.Get("/1/d/_hidden", false, false).Node!.Value);
        // An empty directory has no "nodes" at all.
        _v2.Apply(new Request { Method = "PUT", Path = "/1/empty", Dir = true });
        Assert.Equal("{\"action\":\"get\",\"node\":{\"key\":\"/empty\",\"dir\":true,\"modifiedIndex\":4,\"createdIndex\":4}}",
            V2StoreFixture.Json(_v2.Store.Get("/1/empty", false, false)));
    }

    [Fact]
    public void CompareAndDeleteChecksBeforeDeleting()
    {
        _v2.Set("/k", "v");
        Assert.Equal("[x != v]", _v2.Fails(new Request { Method = "DELETE", Path = "/1/k", PrevValue = "x" }).Cause);
        var deleted = _v2.Apply(new Request { Method = "DELETE", Path = "/1/k", PrevIndex = 1 });
        Assert.Equal("{\"action\":\"compareAndDelete\",\"node\":{\"key\":\"/k\",\"modifiedIndex\":2,\"createdIndex\":1}," +
            "\"prevNode\":{\"key\":\"/k\",\"value\":\"v\",\"modifiedIndex\":1,\"createdIndex\":1}}", V2StoreFixture.Json(deleted));
    }

    [Fact]
    public void KeysExpireOnlyWhenASyncWithALaterClockIsApplied()
    {
        var set = _v2.Set("/t", "v", ttlSeconds: 5);
        Assert.Equal(5, set.Node!.Ttl);
        Assert.True(_v2.Store.HasTtlKeys);
        var watcher = _v2.Store.Watch("/1/t", recursive: false, stream: false, sinceIndex: 0);
        // Time passing alone expires nothing: only the SYNC entry does, by the leader's clock in it.
        _v2.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("v", _v2.Store.Get("/1/t", false, false).Node!.Value);
        Assert.Null(_v2.Applier.Apply(new Request { Method = "SYNC", Time = set.Node.ExpirationNanos!.Value - 1 }).Event);
        Assert.Equal("v", _v2.Store.Get("/1/t", false, false).Node!.Value);
        _v2.Applier.Apply(new Request { Method = "SYNC", Time = set.Node.ExpirationNanos!.Value });
        Assert.Equal(V2Error.KeyNotFound, Assert.Throws<V2Error>(() => _v2.Store.Get("/1/t", false, false)).Code);
        Assert.False(_v2.Store.HasTtlKeys);
        Assert.Equal(2UL, _v2.Store.Index);
        Assert.True(watcher.Events.TryRead(out var expired));
        Assert.Equal("expire", expired.Action);
        Assert.Equal(2UL, expired.Index);
        Assert.Equal("v", expired.PrevNode!.Value);
    }

    [Fact]
    public void UpdateWithoutTtlMakesTheKeyPermanentAndRefreshKeepsTheValueQuietly()
    {
        _v2.Set("/t", "v", ttlSeconds: 5);
        var watcher = _v2.Store.Watch("/1/t", recursive: false, stream: true, sinceIndex: 0);
        var refreshed = _v2.Apply(new Request { Method = "PUT", Path = "/1/t", Refresh = true, PrevExist = true, Expiration = _v2.Clock.NowNanos + 20_000_000_000 });
        Assert.True(refreshed.Refresh);
        Assert.Equal("v", refreshed.Node!.Value);
        Assert.Equal(20, refreshed.Node.Ttl);
        Assert.False(watcher.Events.TryRead(out _));
        _v2.Apply(new Request { Method = "PUT", Path = "/1/t", Val = "w", PrevExist = true });
        Assert.False(_v2.Store.HasTtlKeys);
        Assert.True(watcher.Events.TryRead(out var update));
        Assert.Equal("update", update.Action);
    }

    [Fact]
    public void ExpiryTimesAreWrittenAsGoWritesThem()
    {
        var text = new System.Text.StringBuilder();
        V2Json.AppendTime(text, 1_767_323_045_120_000_000);
        Assert.Equal("2026-01-02T03:04:05.12Z", text.ToString());
        text.Clear();
        V2Json.AppendTime(text, 1_767_323_045_000_000_000);
        Assert.Equal("2026-01-02T03:04:05Z", text.ToString());
        // ttl rounds up: 4.5 s left is 5.
        var set = _v2.Set("/t", "v", ttlSeconds: 5);
        _v2.Clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, _v2.Store.Get("/1/t", false, false).Node!.Ttl);
        Assert.Contains("\"expiration\":\"2026-01-02T03:04:10Z\",\"ttl\":5", V2StoreFixture.Json(set), StringComparison.Ordinal);
    }
}
