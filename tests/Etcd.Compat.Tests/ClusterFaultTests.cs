using System.Collections.Concurrent;
using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Losing the leader of a 3-member cluster of ours under a write load: a new leader serves within
/// about two election timeouts, and once the killed member is back every acknowledged write is on
/// every member, which all hash alike.
/// </summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int ElectionMs = 1000;
    private const int Writers = 6;

    [Fact]
    public async Task KillingTheLeaderLosesNoAcknowledgedWrite()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, ["--heartbeat-interval", "100", "--election-timeout", ElectionMs.ToString()]);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var acknowledged = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers)
            .Select(w => WriteUntilStopped(cluster.Members[w % cluster.Members.Count].ClientUrl, $"fault/{w}/", acknowledged, stop.Token))
            .ToArray();
        await WaitUntil(() => acknowledged.Count >= 200, TimeSpan.FromSeconds(30), "writers got going");

        var killedAt = Stopwatch.StartNew();
        leader.Kill();
        var survivors = cluster.Members.Where(m => m != leader).Select(m => m.ClientUrl).ToList();
        var recovery = await FirstWriteAsync(survivors, TimeSpan.FromSeconds(20));
        output.WriteLine($"first write after killing the leader: {recovery.TotalMilliseconds:F0} ms (election timeout {ElectionMs} ms)");
        // Two election timeouts, plus slack for a machine shared with other work.
        Assert.True(recovery < TimeSpan.FromMilliseconds(2 * ElectionMs + 2000), $"new leader took {recovery}");

        var before = acknowledged.Count;
        await WaitUntil(() => acknowledged.Count >= before + 200, TimeSpan.FromSeconds(30), "writes resumed on the survivors");
        stop.Cancel();
        await Task.WhenAll(writers);
        output.WriteLine($"{acknowledged.Count} writes acknowledged");

        await cluster.RestartAsync(leader);
        await AssertConvergedAsync(cluster, acknowledged);
    }

    private static async Task WriteUntilStopped(string endpoint, string prefix, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = prefix + n;
            try
            {
                await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8("v" + n) },
                    deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: CancellationToken.None);
                acknowledged[key] = "v" + n;
            }
            catch (Grpc.Core.RpcException)
            {
                // Not acknowledged (the member died or had no leader): it may or may not be applied.
                try
                {
                    await Task.Delay(20, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static async Task<TimeSpan> FirstWriteAsync(IReadOnlyList<string> endpoints, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var clients = endpoints.Select(e => EtcdClient.Create(new EtcdClientOptions { Endpoints = [e] })).ToList();
        try
        {
            for (var attempt = 0; clock.Elapsed < timeout; attempt++)
            {
                var client = clients[attempt % clients.Count];
                try
                {
                    await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("probe"), Value = ByteString.CopyFromUtf8("x") },
                        deadline: DateTime.UtcNow.AddMilliseconds(300));
                    return clock.Elapsed;
                }
                catch (Grpc.Core.RpcException)
                {
                }
            }
            throw new TimeoutException("no write succeeded after killing the leader");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    /// <summary>Every member has every acknowledged write (read locally) and the same hash.</summary>
    internal static async Task AssertConvergedAsync(ClusterOfProcesses cluster, IReadOnlyDictionary<string, string> acknowledged)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var problems = new List<string>();
            var hashes = new HashSet<(long Revision, uint Hash)>();
            foreach (var member in cluster.Members)
            {
                using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [member.ClientUrl] });
                try
                {
                    var range = await client.KV.RangeAsync(new RangeRequest
                    {
                        Key = ByteString.CopyFromUtf8("fault/"),
                        RangeEnd = ByteString.CopyFromUtf8("fault0"),
                        Serializable = true,
                    }, deadline: DateTime.UtcNow.AddSeconds(5));
                    var stored = range.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8(), kv => kv.Value.ToStringUtf8());
                    var missing = acknowledged.Where(p => !stored.TryGetValue(p.Key, out var v) || v != p.Value).Select(p => p.Key).ToList();
                    if (missing.Count > 0) problems.Add($"{member.Name} lacks {missing.Count} acknowledged writes, e.g. {missing[0]}");
                    var hash = await client.Maintenance.HashKVAsync(new HashKVRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                    hashes.Add((hash.Header.Revision, hash.Hash));
                }
                catch (Grpc.Core.RpcException e)
                {
                    problems.Add($"{member.Name}: {e.Status.Detail}");
                }
            }
            if (hashes.Count > 1) problems.Add("members differ (revision, hash): " + string.Join(", ", hashes));
            if (problems.Count == 0) return;
            if (DateTime.UtcNow > deadline) Assert.Fail(string.Join("\n", problems));
            await Task.Delay(200);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting until " + what);
            await Task.Delay(20);
        }
    }
}
