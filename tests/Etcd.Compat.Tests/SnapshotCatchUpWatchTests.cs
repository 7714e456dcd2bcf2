using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Client;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// A follower that was down while the leader's log moved on catches up by snapshot, and its
/// watchers do not notice: a watch from a past revision (what a Kubernetes informer does after a
/// reconnect), opened while the member is still behind or after it caught up, gets every event
/// once, in order. Real processes, --snapshot-count 100, repeated so that the install races with
/// watchers at different points.
/// </summary>
public sealed class SnapshotCatchUpWatchTests(ITestOutputHelper output)
{
    private const int WritesPerRound = 10_000;
    private const int ConcurrentWriters = 32;

    // The issue's figure; SNAPSHOT_WATCH_ROUNDS changes it for a quick or a long run.
    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("SNAPSHOT_WATCH_ROUNDS"), out var n) && n > 0 ? n : 20;

    [Fact]
    public async Task WatchesOnAFollowerCaughtUpBySnapshotSeeEveryEvent()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, ["--snapshot-count", "100"]);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var follower = cluster.Members.First(m => m != leader);
        using var atLeader = EtcdClient.Create(new EtcdClientOptions { Endpoints = [leader.ClientUrl] });
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var prefix = $"/w/{round}/";
            var before = (await atLeader.KV.RangeAsync(new RangeRequest { Key = B("/") })).Header.Revision;
            var installsBefore = Count(follower.Log, "restored snapshot");
            follower.Kill();
            await WriteAsync(atLeader, prefix);
            await cluster.RestartAsync(follower);

            // Opened at once: the member may still be at its old revision, so this watcher waits
            // for the future, or reads from history, when the snapshot arrives.
            using var atFollower = EtcdClient.Create(new EtcdClientOptions { Endpoints = [follower.ClientUrl] });
            await using var early = new WatchCheck(atFollower, prefix, before + 1);
            await early.StartAsync();
            await WaitAsync(() => Count(follower.Log, "restored snapshot") > installsBefore, () => $"round {round}: the follower never installed a snapshot:\n{follower.Log}");
            await using var late = new WatchCheck(atFollower, prefix, before + 1);
            await late.StartAsync();

            await early.AssertEveryEventAsync(before, $"round {round}, watcher opened before the install");
            await late.AssertEveryEventAsync(before, $"round {round}, watcher opened after the install");
            await AssertHashesAgreeAsync(cluster, before + WritesPerRound);
            output.WriteLine($"round {round}: {clock.ElapsedMilliseconds} ms");
        }
    }

    private static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    private static int Count(string log, string text)
    {
        var count = 0;
        for (var at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + text.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static async Task WriteAsync(EtcdClient client, string prefix)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(async _ =>
        {
            for (var n = Interlocked.Increment(ref next); n < WritesPerRound; n = Interlocked.Increment(ref next))
                await client.KV.PutAsync(new PutRequest { Key = B($"{prefix}{n:d5}"), Value = B("v" + n) }, deadline: DateTime.UtcNow.AddSeconds(10));
        }));
    }

    private static async Task AssertHashesAgreeAsync(ClusterOfProcesses cluster, long revision)
    {
        var hashes = new Dictionary<string, uint>();
        foreach (var member in cluster.Members)
        {
            using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [member.ClientUrl] });
            // A member may still be applying up to the revision: it answers "future revision" until then.
            await WaitAsync(async () =>
            {
                try
                {
                    hashes[member.Name] = (await client.Maintenance.HashKVAsync(new HashKVRequest { Revision = revision }, deadline: DateTime.UtcNow.AddSeconds(5))).Hash;
                    return true;
                }
                catch (RpcException e) when (e.Status.Detail.Contains("future revision", StringComparison.Ordinal))
                {
                    return false;
                }
            }, () => $"{member.Name} never reached revision {revision}");
        }
        Assert.True(hashes.Values.Distinct().Count() == 1, $"hashes at revision {revision} differ: {string.Join(", ", hashes.Select(h => $"{h.Key}={h.Value:x8}"))}");
    }

    private static Task WaitAsync(Func<bool> condition, Func<string> failure) => WaitAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitAsync(Func<Task<bool>> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(failure());
            await Task.Delay(50);
        }
    }

    /// <summary>One watch stream with one watcher on the round's prefix, recording what it receives.</summary>
    private sealed class WatchCheck(EtcdClient client, string prefix, long startRevision) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Event> _events = [];
        private AsyncDuplexStreamingCall<WatchRequest, WatchResponse>? _call;
        private Task? _reader;
        private string? _failure;

        public async Task StartAsync()
        {
            _call = client.Watch.Watch(cancellationToken: _stop.Token);
            await _call.RequestStream.WriteAsync(new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = B(prefix), RangeEnd = B(prefix[..^1] + "0"), StartRevision = startRevision },
            });
            _reader = Task.Run(ReadAsync);
        }

        private async Task ReadAsync()
        {
            try
            {
                await foreach (var response in _call!.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    if (response.Canceled) _failure = $"watch cancelled: {response.CancelReason} (compact revision {response.CompactRevision})";
                    lock (_events) _events.AddRange(response.Events);
                }
            }
            catch (RpcException) when (_stop.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
            }
            catch (RpcException e)
            {
                _failure = "watch stream failed: " + e.Status;
            }
        }

        /// <summary>Waits for every put of the round, then checks they came once each, in revision order.</summary>
        public async Task AssertEveryEventAsync(long before, string what)
        {
            await WaitAsync(() =>
            {
                lock (_events) return _events.Count >= WritesPerRound || _failure is not null;
            }, () =>
            {
                lock (_events) return $"{what}: {_events.Count} of {WritesPerRound} events after 60 s";
            });
            Assert.True(_failure is null, $"{what}: {_failure}");
            List<Event> events;
            lock (_events) events = [.. _events];
            Assert.Equal(WritesPerRound, events.Count);
            for (var i = 0; i < events.Count; i++)
            {
                // The round's writes are the only ones, so they hold revisions before+1 .. before+N.
                var revision = events[i].Kv.ModRevision;
                Assert.True(revision == before + 1 + i, $"{what}: event {i} has revision {revision}, expected {before + 1 + i}");
                Assert.Equal(Event.Types.EventType.Put, events[i].Type);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_reader is not null) await _reader.WaitAsync(TimeSpan.FromSeconds(5));
            _call?.Dispose();
            _stop.Dispose();
        }
    }
}
