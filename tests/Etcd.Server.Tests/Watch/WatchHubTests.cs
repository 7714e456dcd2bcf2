using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Server.Watch;
using Google.Protobuf;
using static Etcd.Server.Tests.Watch.WatchFixture;

namespace Etcd.Server.Tests.Watch;

public sealed class WatchHubTests : IAsyncLifetime
{
    private WatchFixture _fixture = null!;

    public Task InitializeAsync()
    {
        _fixture = new WatchFixture();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private static string Keys(WatchResponse response) =>
        string.Join(",", response.Events.Select(e => $"{(e.Type == Event.Types.EventType.Put ? "put" : "del")}:{e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision}"));

    [Fact]
    public async Task AfterASnapshotInstallWatchersGetTheRevisionsItBroughtFromItsHistory()
    {
        // The leader's history: the member has its first two revisions, the snapshot all six.
        using var leaderBackend = new Etcd.Storage.Backend.Memory.MemoryBackend();
        using (var leader = new Etcd.Mvcc.KvStore(leaderBackend))
        {
            foreach (var value in new[] { "1", "2", "3", "4", "5" })
            {
                using var batch = leader.BeginApply();
                batch.Put(new PutRequest { Key = B("a"), Value = B(value) });
                batch.Commit();
            }
        }
        _fixture.Put("a", "1");
        var live = _fixture.Hub.OpenSession();
        live.Create(Create("a"));
        await Take(live, 1);

        _fixture.Restore(leaderBackend);
        // One opened afterwards from the past, as an informer does after reconnecting.
        var past = _fixture.Hub.OpenSession();
        past.Create(Create("a", start: 2));
        await Take(past, 1);
        _fixture.Put("a", "6");

        var seen = await TakeUntil(live, t => t.Sum(r => r.Events.Count) >= 5);
        Assert.Equal("put:a@3,put:a@4,put:a@5,put:a@6,put:a@7", string.Join(",", seen.Where(r => r.Events.Count > 0).Select(Keys)));
        var fromPast = await TakeUntil(past, t => t.Sum(r => r.Events.Count) >= 6);
        Assert.Equal("put:a@2,put:a@3,put:a@4,put:a@5,put:a@6,put:a@7", string.Join(",", fromPast.Where(r => r.Events.Count > 0).Select(Keys)));
    }

    [Fact]
    public async Task EachRevisionIsItsOwnResponseWhileTheClientKeepsUp()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a"));
        await Take(session, 1);
        _fixture.Put("a", "1");
        var first = Assert.Single(await Take(session, 1));
        _fixture.Put("a", "2");
        var second = Assert.Single(await Take(session, 1));
        Assert.Equal(["put:a@2", "put:a@3"], new[] { first, second }.Select(Keys));
        Assert.Equal([2L, 3L], new[] { first, second }.Select(r => r.Header.Revision));
    }

    [Fact]
    public async Task RevisionsQueuedBeforeTheClientReadsArriveTogetherUnderTheLaterRevision()
    {
        _fixture.Put("x", "0");
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a"));
        var created = Assert.Single(await Take(session, 1));
        Assert.True(created.Created);
        Assert.Equal(0, created.WatchId);
        Assert.Equal(2, created.Header.Revision);

        // Two transactions in one commit still make two responses.
        _fixture.Apply(b =>
        {
            b.Put(new PutRequest { Key = B("a"), Value = B("1") });
            b.Put(new PutRequest { Key = B("b"), Value = B("1") });
            return b.Put(new PutRequest { Key = B("a"), Value = B("2") });
        });
        // As etcd does for a watcher with a backlog: one response, headed with the newest revision.
        var events = Assert.Single(await Take(session, 1));
        Assert.Equal("put:a@3,put:a@5", Keys(events));
        Assert.Equal(5, events.Header.Revision);
        Assert.Equal(0, events.WatchId);
        Assert.All(events.Events, e => Assert.Null(e.PrevKv));
    }

    [Fact]
    public async Task WatchersOfOneKeyShareEventsYetEachResponseNamesItsOwnWatcher()
    {
        _fixture.Put("a", "0");
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a"));
        session.Create(Create("a"));
        var withPrevious = Create("a");
        withPrevious.PrevKv = true;
        session.Create(withPrevious);
        session.Create(Create("a"));
        await Take(session, 4);
        _fixture.Put("a", "1");

        // Taken the way the service writes them: one reused message for shared events, encoded
        // before the next is taken.
        var carrier = new WatchResponse();
        var encoded = new List<WatchResponse>();
        using var timeout = new CancellationTokenSource(Deadline);
        while (encoded.Count < 4 && await session.WaitToTakeAsync(timeout.Token))
        {
            while (session.TryTake(carrier, out var response, out _)) encoded.Add(WatchResponse.Parser.ParseFrom(response.ToByteArray()));
        }
        Assert.Equal([0L, 1L, 2L, 3L], encoded.Select(r => r.WatchId));
        Assert.All(encoded, r => Assert.Equal("put:a@3", Keys(r)));
        Assert.All(encoded, r => Assert.Equal(3, r.Header.Revision));
        Assert.Equal([false, false, true, false], encoded.Select(r => r.Events[0].PrevKv is not null));
        Assert.Equal("0", encoded[2].Events[0].PrevKv.Value.ToStringUtf8());
    }

    [Fact]
    public async Task AClientThatIsBehindGetsEachWatchersEventsInFewResponsesNeverAcrossAProgressNotification()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a"));
        session.Create(Create("b"));
        await Take(session, 2);
        // Nothing is read meanwhile: 2 x 300 responses wait, more than the coalescing threshold.
        for (var i = 0; i < 300; i++)
        {
            _fixture.Put("a", $"{i}");
            _fixture.Put("b", $"{i}");
        }
        session.RequestProgress();
        _fixture.Put("a", "after");
        var taken = await TakeUntil(session, t => t.Sum(r => r.Events.Count) >= 601 && t.Any(r => r.WatchId == -1));
        var progress = taken.FindIndex(r => r.WatchId == -1);
        Assert.Equal(601, taken[progress].Header.Revision);
        // Every event up to the notified revision comes before it, in order, once.
        var before = taken.Take(progress).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => 2L + 2 * i), before.Where(r => r.WatchId == 0).SelectMany(r => r.Events).Select(e => e.Kv.ModRevision));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => 3L + 2 * i), before.Where(r => r.WatchId == 1).SelectMany(r => r.Events).Select(e => e.Kv.ModRevision));
        Assert.True(before.Count < 100, $"{before.Count} responses for 600 revisions");
        Assert.All(before, r => Assert.Equal(r.Events[^1].Kv.ModRevision, r.Header.Revision));
        Assert.Equal("put:a@602", Keys(Assert.Single(taken.Skip(progress + 1))));
    }

    [Fact]
    public async Task RangesPrefixesAndFromKeyWatchersSeeTheirKeysOnly()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("b", "d"));
        session.Create(Create("c", "\0"));
        session.Create(Create("", "\0"));
        await Take(session, 3);
        foreach (var key in new[] { "a", "b", "c", "d" }) _fixture.Put(key, "v");
        var responses = await TakeUntil(session, t => t.Sum(r => r.Events.Count) >= 2 + 2 + 4);
        string Seen(long id) => string.Join(",", responses.Where(r => r.WatchId == id).Select(Keys));
        Assert.Equal("put:b@3,put:c@4", Seen(0));
        Assert.Equal("put:c@4,put:d@5", Seen(1));
        Assert.Equal("put:a@2,put:b@3,put:c@4,put:d@5", Seen(2));
    }

    [Fact]
    public async Task APastStartRevisionReplaysHistoryThenContinuesLive()
    {
        _fixture.Put("a", "1");
        _fixture.Put("b", "1");
        _fixture.Delete("a");
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a", "z", start: 2));
        var replay = await Take(session, 2);
        Assert.True(replay[0].Created);
        Assert.Equal(4, replay[0].Header.Revision);
        Assert.Equal("put:a@2,put:b@3,del:a@4", Keys(replay[1]));
        Assert.Equal(4, replay[1].Header.Revision);
        Assert.Equal(WatcherCountWhenSynced(), _fixture.Hub.WatcherCount);

        _fixture.Put("c", "1");
        Assert.Equal("put:c@5", Keys(Assert.Single(await Take(session, 1))));
    }

    private static int WatcherCountWhenSynced() => 1;

    [Fact]
    public async Task ACompactedStartRevisionCancelsWithTheCompactRevision()
    {
        for (var i = 0; i < 5; i++) _fixture.Put("k", i.ToString());
        _fixture.Compact(4);
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("k", start: 3));
        var responses = await Take(session, 2);
        Assert.True(responses[0].Created);
        Assert.True(responses[1].Canceled);
        Assert.Equal(4, responses[1].CompactRevision);
        Assert.Equal(0, responses[1].Header.Revision);
        Assert.Empty(responses[1].Events);

        // The compaction revision itself is still readable.
        session.Create(Create("k", start: 4));
        var fromCompaction = await Take(session, 2);
        Assert.Equal("put:k@4,put:k@5,put:k@6", Keys(fromCompaction[1]));
    }

    [Fact]
    public async Task IdsAreChosenFromZeroAndUserIdsAreCheckedAsEtcdChecksThem()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a", id: 1));
        session.Create(Create("a"));
        session.Create(Create("a"));
        session.Create(Create("a", id: 1));
        session.Create(Create("b", "a"));
        var responses = await Take(session, 5);
        Assert.Equal([1L, 0L, 2L, -1L, -1L], responses.Select(r => r.WatchId));
        Assert.All(responses, r => Assert.True(r.Created));
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", responses[3].CancelReason);
        Assert.True(responses[3].Canceled);
        Assert.Equal("mvcc: watcher range is empty", responses[4].CancelReason);
    }

    [Fact]
    public async Task CancelAnswersOnlyForAWatcherThatExists()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a"));
        await Take(session, 1);
        session.Cancel(5);
        session.Cancel(0);
        var canceled = Assert.Single(await Take(session, 1));
        Assert.True(canceled.Canceled);
        Assert.Equal(0, canceled.WatchId);
        _fixture.Put("a", "1");
        Assert.Empty(TakeQueued(session));
        Assert.Equal(0, _fixture.Hub.WatcherCount);
    }

    [Fact]
    public async Task FiltersDropEventKindsAndPrevKvIsSentOnlyWhenAsked()
    {
        _fixture.Put("a", "old");
        var session = _fixture.Hub.OpenSession();
        var noPut = Create("a", id: 1);
        noPut.Filters.Add(WatchCreateRequest.Types.FilterType.Noput);
        var noDelete = Create("a", id: 2);
        noDelete.Filters.Add(WatchCreateRequest.Types.FilterType.Nodelete);
        var withPrevious = Create("a", id: 3);
        withPrevious.PrevKv = true;
        session.Create(noPut);
        session.Create(noDelete);
        session.Create(withPrevious);
        await Take(session, 3);

        _fixture.Put("a", "new");
        _fixture.Delete("a");
        var responses = await TakeUntil(session, t => t.Sum(r => r.Events.Count) >= 4);
        Assert.Equal("del:a@4", Keys(responses.Single(r => r.WatchId == 1)));
        Assert.Equal("put:a@3", Keys(responses.Single(r => r.WatchId == 2)));
        Assert.Null(responses.Single(r => r.WatchId == 2).Events[0].PrevKv);
        var previous = responses.Where(r => r.WatchId == 3).SelectMany(r => r.Events).Select(e => e.PrevKv.Value.ToStringUtf8());
        Assert.Equal(["old", "new"], previous);

        // From history too: read back at the revision before each event.
        var replay = Create("a", start: 2, id: 4);
        replay.PrevKv = true;
        session.Create(replay);
        var replayed = (await Take(session, 2))[1];
        Assert.Null(replayed.Events[0].PrevKv);
        Assert.Equal("old", replayed.Events[1].PrevKv.Value.ToStringUtf8());
        Assert.Equal("new", replayed.Events[2].PrevKv.Value.ToStringUtf8());
    }

    [Fact]
    public async Task AFutureStartRevisionWaitsForIt()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("a", start: 4));
        await Take(session, 1);
        _fixture.Put("a", "2");
        _fixture.Put("a", "3");
        _fixture.Put("a", "4");
        Assert.Equal("put:a@4", Keys(Assert.Single(await Take(session, 1))));
    }

    [Fact]
    public async Task ProgressIsAnsweredOnlyOnceEveryWatcherOfTheSessionIsUpToDate()
    {
        for (var i = 0; i < 50; i++) _fixture.Put("k" + i, "v");
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("k", "l", start: 1));
        session.RequestProgress();
        var responses = await TakeUntil(session, t => t.Any(r => r.WatchId == -1));
        var progress = responses.Last();
        Assert.Empty(progress.Events);
        Assert.Equal(51, progress.Header.Revision);
        Assert.Equal(50, responses.Sum(r => r.Events.Count));
    }

    [Fact]
    public async Task LargeResponsesAreFragmentedForWatchersThatAllowIt()
    {
        await using var fixture = new WatchFixture(fragmentBytes: 1000);
        var big = new string('x', 300);
        fixture.Apply(b => b.Txn(new TxnRequest
        {
            Success =
            {
                Enumerable.Range(0, 10).Select(i => new RequestOp { RequestPut = new PutRequest { Key = B("k" + i), Value = B(big) } }),
            },
        }));
        var session = fixture.Hub.OpenSession();
        var fragmented = Create("k", "l", start: 2, id: 1);
        fragmented.Fragment = true;
        session.Create(fragmented);
        session.Create(Create("k", "l", start: 2, id: 2));
        var responses = await TakeUntil(session, t => t.Count(r => r.WatchId == 2 && !r.Created) == 1);
        var parts = responses.Where(r => r.WatchId == 1 && !r.Created).ToList();
        Assert.True(parts.Count > 1);
        Assert.All(parts[..^1], p => Assert.True(p.Fragment));
        Assert.False(parts[^1].Fragment);
        Assert.All(parts, p => Assert.True(p.CalculateSize() < 1000 || p.Events.Count == 1));
        Assert.Equal(10, parts.Sum(p => p.Events.Count));
        Assert.Equal(10, Assert.Single(responses, r => r.WatchId == 2 && !r.Created).Events.Count);
    }

    [Fact]
    public async Task PeriodicProgressGoesToIdleWatchersThatAskedForIt()
    {
        await using var fixture = new WatchFixture(progressInterval: WatchHub.MinProgressInterval);
        var session = fixture.Hub.OpenSession();
        var request = Create("a");
        request.ProgressNotify = true;
        session.Create(request);
        session.Create(Create("b"));
        fixture.Put("z", "1");
        var responses = await TakeUntil(session, t => t.Any(r => !r.Created));
        var progress = responses.Single(r => !r.Created);
        Assert.Equal(0, progress.WatchId);
        Assert.Empty(progress.Events);
        Assert.Equal(2, progress.Header.Revision);
    }

    [Fact]
    public async Task ASlowSessionFallsBehindWithoutHoldingUpOthersAndThenCatchesUpInOrder()
    {
        var slow = _fixture.Hub.OpenSession();
        var fast = _fixture.Hub.OpenSession();
        slow.Create(Create("k", "l"));
        fast.Create(Create("k", "l"));
        await Take(slow, 1);
        await Take(fast, 1);
        var writes = WatchSession.BacklogLimit + 1000;
        var fastSeen = 0L;
        for (var i = 0; i < writes; i++)
        {
            _fixture.Put("k" + (i % 7), i.ToString());
            fastSeen += TakeQueued(fast).Sum(r => r.Events.Count);
        }
        Assert.Equal(writes, fastSeen);
        // The slow client's queue stopped growing at its limit; it never held the writer up.
        Assert.InRange(slow.Backlog, WatchSession.BacklogLimit - 1, WatchSession.BacklogLimit + 1);

        var revisions = (await TakeUntil(slow, t => t.Sum(r => r.Events.Count) >= writes))
            .SelectMany(r => r.Events).Select(e => e.Kv.ModRevision).ToList();
        Assert.Equal(Enumerable.Range(2, writes).Select(r => (long)r), revisions);
    }

    [Fact]
    public async Task AWatcherCatchingUpInTheSameRoundAsAnOlderOneGetsNothingBeforeItsStart()
    {
        await using var fixture = new WatchFixture(started: false);
        // More history than one catch-up round reads, so the round that starts at the older
        // watcher's revision stops before the newer one's.
        var writes = WatchHub.EventsPerRound + 2000;
        for (var i = 0; i < writes; i++) fixture.Put("k", i.ToString());
        var last = 1L + writes;
        var late = last - 500;
        var session = fixture.Hub.OpenSession();
        session.Create(Create("k", start: 2, id: 1));
        session.Create(Create("k", start: late, id: 2));
        fixture.Hub.Start();

        var received = new Dictionary<long, List<long>> { [1] = [], [2] = [] };
        var observed = 0;
        await TakeUntil(session, taken =>
        {
            for (; observed < taken.Count; observed++)
            {
                foreach (var e in taken[observed].Events) received[taken[observed].WatchId].Add(e.Kv.ModRevision);
            }
            return received[1].Count + received[2].Count >= writes + (last - late + 1);
        });
        Assert.Equal(Enumerable.Range(2, writes).Select(r => (long)r), received[1]);
        Assert.Equal(Enumerable.Range((int)late, (int)(last - late + 1)).Select(r => (long)r), received[2]);
    }
}
