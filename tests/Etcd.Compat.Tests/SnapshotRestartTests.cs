using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;

namespace Etcd.Compat.Tests;

/// <summary>
/// With a small --snapshot-count the member snapshots its log and releases WAL segments; a
/// restart recovers from the snapshot plus the WAL after it and keeps every key and revision.
/// </summary>
public sealed class SnapshotRestartTests
{
    [Fact]
    public async Task RestartAfterSnapshotsKeepsEverything()
    {
        var dataDir = Directory.CreateTempSubdirectory("etcd-snap-").FullName;
        var clientPort = FreePort.Next();
        var peerPort = FreePort.Next();
        string[] flags = ["--snapshot-count", "100"];
        try
        {
            long revision;
            var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort, flags);
            await using (member)
            {
                using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [member.Endpoint] });
                for (var i = 0; i < 450; i++)
                    await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"snap/{i % 300:D3}"), Value = ByteString.CopyFromUtf8($"v{i}") });
                revision = (await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("snap/000") })).Header.Revision;
                Assert.Contains("saved snapshot", member.Log, StringComparison.Ordinal);
                member.Kill();
            }
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dataDir, "member", "snap"), "*.snap"));

            var restarted = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort, flags);
            await using (restarted)
            {
                using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [restarted.Endpoint] });
                var all = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("snap/"), RangeEnd = ByteString.CopyFromUtf8("snap0") });
                Assert.Equal(300, all.Count);
                Assert.Equal(revision, all.Header.Revision);
                Assert.Equal("v449", all.Kvs.Single(kv => kv.Key.ToStringUtf8() == "snap/149").Value.ToStringUtf8());
                Assert.Equal("v299", all.Kvs.Single(kv => kv.Key.ToStringUtf8() == "snap/299").Value.ToStringUtf8());
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
