using Etcd.Api.Etcdserverpb;
using Etcd.Server.V2.Store;

namespace Etcd.Server.Tests.V2;

/// <summary>v2 watches: from the history or from now, recursive or not, hidden keys, streams, and the cleared-history error.</summary>
public sealed class V2WatchTests
{
    private readonly V2StoreFixture _v2 = new();

    [Fact]
    public void AWatchFromAPastIndexIsAnsweredFromTheHistory()
    {
        _v2.Set("/a", "1");
        _v2.Set("/b", "2");
        _v2.Set("/a", "3");
        var watcher = _v2.Store.Watch("/1/a", recursive: false, stream: false, sinceIndex: 2);
        Assert.True(watcher.Events.TryRead(out var e));
        Assert.Equal(3UL, e.Index);
        Assert.Equal(3UL, e.EtcdIndex);
        Assert.Equal(3UL, watcher.StartIndex);
    }

    [Fact]
    public void AWatchFromNowWaitsForTheNextChangeAndEndsAfterIt()
    {
        var watcher = _v2.Store.Watch("/1/a", recursive: false, stream: false, sinceIndex: 0);
        Assert.False(watcher.Events.TryRead(out _));
        _v2.Set("/b", "x");
        Assert.False(watcher.Events.TryRead(out _));
        _v2.Set("/a", "1");
        _v2.Set("/a", "2");
        Assert.True(watcher.Events.TryRead(out var e));
        Assert.Equal("1", e.Node!.Value);
        // A plain watch takes one event; the hub forgot it.
        Assert.False(watcher.Events.TryRead(out _));
        Assert.Equal(0, _v2.Store.Hub.Count);
    }

    [Fact]
    public void RecursiveWatchesSeeChildrenButNotHiddenOnes()
    {
        var plain = _v2.Store.Watch("/1/d", recursive: false, stream: true, sinceIndex: 0);
        var recursive = _v2.Store.Watch("/1/d", recursive: true, stream: true, sinceIndex: 0);
        _v2.Set("/d/_hidden", "h");
        _v2.Set("/d/x/y", "1");
        Assert.False(plain.Events.TryRead(out _));
        Assert.True(recursive.Events.TryRead(out var e));
        Assert.Equal("/1/d/x/y", e.Node!.Key);
        Assert.False(recursive.Events.TryRead(out _));
        // Deleting the directory reaches the non-recursive watcher of the directory itself.
        _v2.Apply(new Request { Method = "DELETE", Path = "/1/d", Recursive = true });
        Assert.True(plain.Events.TryRead(out var deleted));
        Assert.Equal("delete", deleted.Action);
        Assert.True(recursive.Events.TryRead(out _));
        Assert.Equal(2, _v2.Store.Hub.Count);
        plain.Remove();
        recursive.Remove();
        Assert.Equal(0, _v2.Store.Hub.Count);
    }

    [Fact]
    public void AKeyWatcherSeesTheDeletionOfADirectoryAboveIt()
    {
        _v2.Set("/d/k", "v");
        var watcher = _v2.Store.Watch("/1/d/k", recursive: false, stream: false, sinceIndex: 0);
        _v2.Apply(new Request { Method = "DELETE", Path = "/1/d", Recursive = true });
        Assert.True(watcher.Events.TryRead(out var e));
        Assert.Equal("/1/d", e.Node!.Key);
        // The same through the history: the deleted directory matches keys below it.
        var late = _v2.Store.Watch("/1/d/k", recursive: false, stream: false, sinceIndex: 2);
        Assert.True(late.Events.TryRead(out var fromHistory));
        Assert.Equal(2UL, fromHistory.Index);
    }

    [Fact]
    public void TheHistoryKeepsTheLastThousandEvents()
    {
        for (var i = 0; i < V2Store.HistoryCapacity + 5; i++) _v2.Set("/k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var error = Assert.Throws<V2Error>(() => _v2.Store.Watch("/1/k", recursive: false, stream: false, sinceIndex: 5));
        Assert.Equal(V2Error.EventIndexCleared, error.Code);
        Assert.Equal("The event in requested index is outdated and cleared", V2Error.MessageOf(error.Code));
        Assert.Equal("the requested history has been cleared [6/5]", error.Cause);
        Assert.Equal(1005UL, error.Index);
        var oldest = _v2.Store.Watch("/1/k", recursive: false, stream: false, sinceIndex: 6);
        Assert.True(oldest.Events.TryRead(out var e));
        Assert.Equal(6UL, e.Index);
    }

    [Fact]
    public void AStreamWatcherThatFallsBehindIsDropped()
    {
        var watcher = _v2.Store.Watch("/1/k", recursive: false, stream: true, sinceIndex: 0);
        for (var i = 0; i < 101; i++) _v2.Set("/k", "v");
        Assert.Equal(0, _v2.Store.Hub.Count);
        var received = 0;
        while (watcher.Events.TryRead(out _)) received++;
        Assert.Equal(100, received);
    }
}
