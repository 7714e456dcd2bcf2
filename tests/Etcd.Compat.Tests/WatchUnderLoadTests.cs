using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Client;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Our server over gRPC under load: writers on a small key space, watch streams with watchers
/// on overlapping ranges (some starting in the past), one stream that does not read for a
/// while, and a compaction in the middle. Each watcher must see exactly the changes the writers
/// made in its range, in order, with none missing or repeated (or be cancelled as compacted),
/// and every progress notification must come after every event up to its revision.
/// </summary>
public sealed class WatchUnderLoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Writers = 4;
    private const int WritesPerWriter = 600;
    private EtcdProcess _server = null!;
    private EtcdClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await EtcdProcess.StartAsync(Binaries.OurEtcd);
        _client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [_server.Endpoint] });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    private sealed record Change(long Revision, string Key, bool Put, string Value);

    private sealed record Range(string Key, string End, long Start);

    [Fact]
    public async Task WatchersGetEveryChangeOnceInOrderWithHonestProgress()
    {
        var seed = Environment.TickCount & 0xFFFF;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var log = new SortedDictionary<long, Change>();
        var ranges = new[] { ("k0", "k1"), ("k05", "k15"), ("k1", "k2"), ("k", "l"), ("k07", "k08") };

        var streams = new List<StreamCheck>();
        for (var s = 0; s < 3; s++)
        {
            var stream = new StreamCheck(_client.Watch.Watch(), slow: s == 2, log);
            streams.Add(stream);
            foreach (var (key, end) in ranges)
            {
                var start = random.Next(3) == 0 ? 1 : 0;
                await stream.CreateAsync(new Range(key, end, start));
            }
        }
        var readers = streams.Select(s => s.ReadAsync()).ToList();

        var written = 0;
        async Task Write(int writer)
        {
            var local = new Random(seed + writer);
            for (var i = 0; i < WritesPerWriter; i++)
            {
                var key = "k" + local.Next(20).ToString("D2");
                if (local.Next(4) == 0)
                {
                    var deleted = await _client.KV.DeleteRangeAsync(new DeleteRangeRequest { Key = B(key) });
                    if (deleted.Deleted > 0) lock (log) log.Add(deleted.Header.Revision, new Change(deleted.Header.Revision, key, false, ""));
                }
                else
                {
                    var value = $"{writer}.{i}";
                    var put = await _client.KV.PutAsync(new PutRequest { Key = B(key), Value = B(value) });
                    lock (log) log.Add(put.Header.Revision, new Change(put.Header.Revision, key, true, value));
                }
                if (Interlocked.Increment(ref written) == Writers * WritesPerWriter / 2)
                {
                    var revision = put2Revision(log) - 20;
                    await _client.KV.CompactAsync(new CompactionRequest { Revision = revision });
                }
                if (local.Next(50) == 0) await streams[local.Next(streams.Count)].RequestProgressAsync();
            }
        }
        static long put2Revision(SortedDictionary<long, Change> log)
        {
            lock (log) return log.Keys.Max();
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(Write));
        var finalRevision = put2Revision(log);
        // Starting below the compaction: created, then cancelled with the compaction revision.
        await streams[0].CreateAsync(new Range("k", "l", 2));
        foreach (var stream in streams) stream.ReadFreely();
        foreach (var stream in streams)
        {
            var progressed = stream.WaitForProgressAsync(finalRevision);
            // A reader that found a violation stops reading: report that, not a missing progress.
            var failed = await Task.WhenAny(progressed, Task.WhenAny(readers.Where(r => !r.IsCompletedSuccessfully)));
            if (failed != progressed && readers.FirstOrDefault(r => r.IsFaulted) is { } broken) await broken;
            await progressed;
        }
        foreach (var stream in streams) stream.Finish();
        await Task.WhenAll(readers);
        foreach (var stream in streams) output.WriteLine(stream.Summary);
        Assert.True(streams[0].Compacted >= 1);
    }

    /// <summary>One watch stream and what its watchers received, checked as it arrives.</summary>
    private sealed class StreamCheck(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, bool slow, SortedDictionary<long, Change> log)
    {
        private readonly Queue<Range> _requested = new();
        private readonly Dictionary<long, (Range Range, List<Event> Events)> _watchers = [];
        private readonly TaskCompletionSource _readFreely = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly CancellationTokenSource _done = new();
        private long _lastProgress;
        private long _loggedThrough = 1;
        private int _compacted;
        private int _responses;

        public string Summary => $"{(slow ? "slow" : "fast")} stream: {_responses} responses, {_watchers.Count} watchers, {_compacted} compacted, events {string.Join(",", _watchers.Values.Select(w => w.Events.Count))}";

        public async Task CreateAsync(Range range)
        {
            lock (_requested) _requested.Enqueue(range);
            await WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = B(range.Key), RangeEnd = B(range.End), StartRevision = range.Start } });
        }

        public Task RequestProgressAsync() => WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() });

        private async Task WriteAsync(WatchRequest request)
        {
            await _writeLock.WaitAsync();
            try
            {
                await call.RequestStream.WriteAsync(request);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public int Compacted => _compacted;

        public void ReadFreely() => _readFreely.TrySetResult();

        public async Task WaitForProgressAsync(long revision)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Interlocked.Read(ref _lastProgress) < revision)
            {
                // The message is built only on failure: Summary walks the watchers the reader is adding to.
                if (DateTime.UtcNow >= deadline) Assert.Fail($"no progress notification for {revision}: {Summary}, last progress {Interlocked.Read(ref _lastProgress)}");
                await RequestProgressAsync();
                await Task.Delay(50);
            }
        }

        public void Finish() => _done.Cancel();

        public async Task ReadAsync()
        {
            // The slow stream reads nothing until the writers are done: the server must not wait for it.
            if (slow) await _readFreely.Task;
            try
            {
                while (await call.ResponseStream.MoveNext(_done.Token)) Check(call.ResponseStream.Current);
            }
            catch (RpcException) when (_done.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (_done.IsCancellationRequested)
            {
            }
        }

        private void Check(WatchResponse response)
        {
            _responses++;
            if (response.Created)
            {
                Range range;
                lock (_requested) range = _requested.Dequeue();
                Assert.False(response.Canceled, response.CancelReason);
                if (range.Start == 0) range = range with { Start = response.Header.Revision + 1 };
                _watchers.Add(response.WatchId, (range, []));
                return;
            }
            if (response.WatchId == -1)
            {
                WaitLogged(response.Header.Revision);
                foreach (var (id, watcher) in _watchers) CheckHas(id, watcher.Range, watcher.Events, response.Header.Revision);
                Interlocked.Exchange(ref _lastProgress, response.Header.Revision);
                return;
            }
            var (own, events) = _watchers[response.WatchId];
            if (response.Canceled)
            {
                Assert.True(response.CompactRevision > 0, "only compaction cancels here");
                var next = events.Count == 0 ? own.Start : events[^1].Kv.ModRevision + 1;
                Assert.True(next < response.CompactRevision, $"cancelled at {next} as compacted at {response.CompactRevision}");
                _watchers.Remove(response.WatchId);
                _compacted++;
                return;
            }
            WaitLogged(response.Header.Revision);
            var expected = Expected(own);
            foreach (var change in response.Events)
            {
                Assert.True(events.Count < expected.Count, $"watcher {response.WatchId} got more events than happened");
                var want = expected[events.Count];
                Assert.True(change.Kv.ModRevision == want.Revision && change.Kv.Key.ToStringUtf8() == want.Key
                    && (change.Type == Event.Types.EventType.Put) == want.Put && (!want.Put || change.Kv.Value.ToStringUtf8() == want.Value),
                    $"watcher {response.WatchId} {own}: event {events.Count} is {change.Type} {change.Kv.Key.ToStringUtf8()}@{change.Kv.ModRevision}, expected {want}");
                events.Add(change);
            }
        }

        private void CheckHas(long id, Range range, List<Event> events, long revision)
        {
            var owed = Expected(range).Count(c => c.Revision <= revision);
            Assert.True(events.Count >= owed, $"progress at {revision} but watcher {id} {range} has {events.Count} of {owed} events");
        }

        /// <summary>
        /// A watcher can hear of a write before the writer hears back: wait until the writers have
        /// logged every revision up to <paramref name="revision"/> (each one is theirs; 1 is the empty store's).
        /// </summary>
        private void WaitLogged(long revision)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                lock (log)
                {
                    while (log.ContainsKey(_loggedThrough + 1)) _loggedThrough++;
                    if (_loggedThrough >= revision) return;
                }
                Assert.True(DateTime.UtcNow < deadline, $"revision {revision} never logged by a writer");
                Thread.Sleep(1);
            }
        }

        private List<Change> Expected(Range range)
        {
            lock (log)
            {
                return log.Values.Where(c => c.Revision >= range.Start && string.CompareOrdinal(c.Key, range.Key) >= 0 && string.CompareOrdinal(c.Key, range.End) < 0).ToList();
            }
        }
    }
}
