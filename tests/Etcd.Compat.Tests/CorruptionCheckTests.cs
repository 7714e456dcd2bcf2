using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Compat.Tests;

/// <summary>
/// A member whose stored value differs from the others' at the same revision (planted in its
/// backend while it is down): --experimental-initial-corrupt-check keeps it from starting, and
/// the leader's --experimental-corrupt-check-time raises the CORRUPT alarm, after which the
/// cluster refuses writes until the alarm is disarmed.
/// </summary>
public sealed class CorruptionCheckTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ADivergedMemberIsFoundAtStartAndByTheLeadersPeriodicCheck()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, ["--experimental-corrupt-check-time=500ms"]);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        using (var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [leader.ClientUrl] }))
        {
            for (var n = 0; n < 20; n++)
            {
                await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("fault/corrupt/" + n), Value = ByteString.CopyFromUtf8("v" + n) });
            }
            // Every member has applied everything before one of them is stopped.
            await ClusterFaultTests.AssertConvergedAsync(cluster, Enumerable.Range(0, 20).ToDictionary(n => "fault/corrupt/" + n, n => "v" + n));
        }
        var follower = cluster.Members.First(m => m != leader);
        follower.Kill();
        PlantDifferentValue(Path.Combine(follower.DataDir, "member", "snap", "db"));

        // At start: the hash differs from the peers' at the same revision; the member refuses to serve.
        follower.Start(cluster.InitialCluster, "new", cluster.Token, ["--experimental-initial-corrupt-check"]);
        Assert.True(await follower.WaitExitAsync(Deadline), "the diverged member started:\n" + follower.Log);
        Assert.Contains("found data inconsistency with peers", follower.Log, StringComparison.Ordinal);

        // Without the start check it runs, and the leader's next periodic check finds it.
        await cluster.RestartAsync(follower);
        using var atLeader = EtcdClient.Create(new EtcdClientOptions { Endpoints = [leader.ClientUrl] });
        await WaitForCorruptAlarmAsync(atLeader);
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            atLeader.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("fault/corrupt/after"), Value = ByteString.CopyFromUtf8("x") }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        Assert.Equal(StatusCode.DataLoss, refused.StatusCode);
        Assert.Equal("etcdserver: corrupt cluster", refused.Status.Detail);
        // Reads still answer, as etcd's do.
        var read = await atLeader.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("fault/corrupt/1") });
        Assert.Single(read.Kvs);
        var ctl = await cluster.Ctl().RunAsync("alarm", "list");
        // Member 0, as etcd 3.4.23 raises it (the text format leaves the zero id out).
        Assert.Equal("alarm:CORRUPT \n", ctl.Stdout);
    }

    // Rewrites the value of the oldest stored revision, leaving its revision and every other key alone.
    private static void PlantDifferentValue(string backendDirectory)
    {
        using var backend = RocksDbBackend.Open(backendDirectory);
        byte[]? revisionKey = null;
        byte[]? stored = null;
        using (var snapshot = backend.Snapshot())
        {
            snapshot.Scan(Bucket.Key, [], [], (key, value) =>
            {
                revisionKey = key.ToArray();
                stored = value.ToArray();
                return false;
            });
        }
        Assert.NotNull(revisionKey);
        var kv = Etcd.Api.Mvccpb.KeyValue.Parser.ParseFrom(stored);
        kv.Value = ByteString.CopyFromUtf8("planted");
        using var batch = backend.CreateBatch();
        batch.Put(Bucket.Key, revisionKey, kv.ToByteArray());
        backend.Commit(batch, sync: true);
    }

    private static async Task WaitForCorruptAlarmAsync(EtcdClient client)
    {
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            var alarms = await client.Maintenance.AlarmAsync(new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get });
            if (alarms.Alarms.Any(a => a.Alarm == AlarmType.Corrupt)) return;
            Assert.True(DateTime.UtcNow < until, "no CORRUPT alarm within " + Deadline);
            await Task.Delay(50);
        }
    }
}
