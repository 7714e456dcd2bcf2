using System.Collections.Concurrent;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// A member cut off from the others (both ways, by the peer proxies) can neither write nor serve
/// linearizable reads, while the majority goes on; once healed, every member has every
/// acknowledged write and all hash alike. Done for an isolated follower and an isolated leader.
/// </summary>
public sealed class ClusterPartitionTests(ITestOutputHelper output)
{
    private static readonly string[] Timing = ["--heartbeat-interval", "100", "--election-timeout", "1000"];

    [Fact]
    public async Task IsolatedFollowerStallsMajorityGoesOn()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, Timing, proxied: true);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var isolated = cluster.Members.First(m => m != leader);
        await RunPartitionAsync(cluster, isolated);
    }

    [Fact]
    public async Task IsolatedLeaderStallsMajorityElectsAnother()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, Timing, proxied: true);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        await RunPartitionAsync(cluster, leader);
    }

    private async Task RunPartitionAsync(ClusterOfProcesses cluster, ClusterMember isolated)
    {
        var acknowledged = new ConcurrentDictionary<string, string>();
        var majority = cluster.Members.Where(m => m != isolated).ToList();
        await ClusterWrites.PutAsync(majority[0].ClientUrl, "fault/before", acknowledged);
        // Acknowledged means a quorum has it, not necessarily the member about to be cut off:
        // wait until it has applied the write, so its local read below has something to show.
        using (var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [isolated.ClientUrl] }))
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("fault/before"), Serializable = true })).Kvs.Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{isolated.Name} did not apply fault/before");
                await Task.Delay(20);
            }
        }

        cluster.Isolate(isolated);
        output.WriteLine($"isolated {isolated.Name}");
        // The majority (re-electing if it lost its leader) takes writes again within a few election timeouts.
        await ClusterWrites.EventuallyAsync(() => ClusterWrites.PutAsync(majority[0].ClientUrl, "fault/during-0", acknowledged), TimeSpan.FromSeconds(15));
        // Each write gets its own retry window: on a loaded machine a forwarded put can miss a 3 s
        // deadline while the majority is still healthy, and that is not what this test is about.
        for (var i = 1; i < 20; i++)
        {
            var (endpoint, key) = (majority[i % majority.Count].ClientUrl, $"fault/during-{i}");
            await ClusterWrites.EventuallyAsync(() => ClusterWrites.PutAsync(endpoint, key, acknowledged), TimeSpan.FromSeconds(15));
        }

        using (var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [isolated.ClientUrl] }))
        {
            var write = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => client.KV.PutAsync(
                new PutRequest { Key = ByteString.CopyFromUtf8("fault/minority"), Value = ByteString.CopyFromUtf8("x") }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
            output.WriteLine($"write on the isolated member: {write.Status.Detail}");
            var read = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => client.KV.RangeAsync(
                new RangeRequest { Key = ByteString.CopyFromUtf8("fault/before") }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
            output.WriteLine($"linearizable read on the isolated member: {read.Status.Detail}");
            // A serializable read is local and still answers, with what the member had.
            var local = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("fault/before"), Serializable = true });
            Assert.Single(local.Kvs);
        }

        cluster.Heal();
        output.WriteLine("healed");
        await ClusterWrites.EventuallyAsync(() => ClusterWrites.PutAsync(isolated.ClientUrl, "fault/after", acknowledged), TimeSpan.FromSeconds(20));
        await ClusterFaultTests.AssertConvergedAsync(cluster, acknowledged);
    }
}
