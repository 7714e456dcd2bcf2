using System.Collections.Concurrent;
using System.Text.Json;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Restoring one snapshot into several members makes one new cluster whose members agree, and a
/// cluster destroyed under writes comes back from its snapshot with every write acknowledged
/// before the snapshot's revision.
/// </summary>
public sealed class SnapshotClusterTests(ITestOutputHelper output)
{
    private const string Token = "restored-cluster";

    [Fact]
    public async Task ThreeRestoresOfOneSnapshotMakeAClusterWhoseMembersAgree()
    {
        using var dir = new TestDirectory();
        var snapshot = Path.Combine(dir.Path, "ours.db");
        string expected;
        long compactedAt;
        await using (var ours = await EtcdProcess.StartAsync(Binaries.OurEtcd))
        {
            compactedAt = await SnapshotDataset.LoadAsync(ours.Endpoint);
            expected = await SnapshotDataset.DescribeAsync(ours.Endpoint, compactedAt);
            await RunAsync(Binaries.OfficialEtcdctl, "--endpoints", ours.Endpoint, "snapshot", "save", snapshot);
        }
        var members = await RestoreClusterAsync(snapshot, dir.Path);
        try
        {
            var hashes = await RunAsync(Binaries.OfficialEtcdctl, "--endpoints", members[0].ClientUrl, "endpoint", "hashkv", "--cluster", "-w", "json");
            var reported = JsonDocument.Parse(hashes.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("HashKV").GetProperty("hash").GetUInt32()).ToList();
            Assert.Equal(3, reported.Count);
            Assert.Single(reported.Distinct());
            foreach (var member in members) Assert.Equal(expected, await SnapshotDataset.DescribeAsync(member.ClientUrl, compactedAt));
        }
        finally
        {
            foreach (var member in members) await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task ClusterDestroyedUnderWritesComesBackWithEveryWriteAcknowledgedBeforeItsSnapshot()
    {
        using var dir = new TestDirectory();
        var snapshot = Path.Combine(dir.Path, "backup.db");
        var acknowledged = new ConcurrentDictionary<string, long>();
        await using (var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3))
        {
            await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
            using var stop = new CancellationTokenSource();
            var endpoints = cluster.Members.Select(m => m.ClientUrl).ToList();
            var writers = Enumerable.Range(0, 4).Select(w => WriteUntilAsync(endpoints[w % endpoints.Count], $"dr/{w}/", acknowledged, stop.Token)).ToList();
            await UntilAsync(() => acknowledged.Count >= 300, TimeSpan.FromSeconds(60));
            await RunAsync(Binaries.OfficialEtcdctl, "--endpoints", endpoints[1], "snapshot", "save", snapshot);
            var atSave = acknowledged.Count;
            await UntilAsync(() => acknowledged.Count >= atSave + 200, TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            foreach (var member in cluster.Members) member.Kill();
        }
        var status = await RunAsync(Binaries.OurEtcdutl, "snapshot", "status", snapshot, "-w", "json");
        var revision = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("revision").GetInt64();
        var before = acknowledged.Where(a => a.Value <= revision).ToList();
        output.WriteLine($"{acknowledged.Count} writes acknowledged, {before.Count} at or before the snapshot's revision {revision}");
        Assert.NotEmpty(before);
        Assert.True(before.Count < acknowledged.Count, "some writes came after the snapshot");

        var members = await RestoreClusterAsync(snapshot, dir.Path);
        try
        {
            using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [members[2].ClientUrl] });
            var all = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("dr/"), RangeEnd = ByteString.CopyFromUtf8("dr0") });
            Assert.Equal(revision, all.Header.Revision);
            var present = all.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8(), kv => kv.ModRevision);
            foreach (var (key, modRevision) in before)
            {
                Assert.True(present.TryGetValue(key, out var found) && found == modRevision, $"{key} (acknowledged at revision {modRevision}) is missing");
            }
            Assert.All(present.Values, mod => Assert.True(mod <= revision));
        }
        finally
        {
            foreach (var member in members) await member.DisposeAsync();
        }
    }

    /// <summary>Three members restored from <paramref name="snapshot"/> with one --initial-cluster, started and ready.</summary>
    private async Task<List<ClusterMember>> RestoreClusterAsync(string snapshot, string root)
    {
        var members = Enumerable.Range(0, 3).Select(i => new ClusterMember(Binaries.OurEtcd, $"r{i}", Path.Combine(root, $"r{i}"))).ToList();
        var initialCluster = string.Join(",", members.Select(m => $"{m.Name}={m.PeerUrl}"));
        foreach (var member in members)
        {
            await RunAsync(Binaries.OurEtcdutl, "snapshot", "restore", snapshot, "--name", member.Name, "--data-dir", member.DataDir,
                "--initial-cluster", initialCluster, "--initial-cluster-token", Token, "--initial-advertise-peer-urls", member.PeerUrl);
        }
        foreach (var member in members) member.Start(initialCluster, "new", Token, []);
        await Task.WhenAll(members.Select(m => m.WaitReadyAsync(ClusterOfProcesses.StartTimeout)));
        return members;
    }

    private static async Task WriteUntilAsync(string endpoint, string prefix, ConcurrentDictionary<string, long> acknowledged, CancellationToken stop)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = prefix + n;
            try
            {
                var put = await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(key) }, deadline: DateTime.UtcNow.AddSeconds(5));
                acknowledged[key] = put.Header.Revision;
            }
            catch (Grpc.Core.RpcException)
            {
                // Not acknowledged: neither expected nor forbidden after the restore.
            }
        }
    }

    private static async Task UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    private async Task<CommandResult> RunAsync(string binary, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(binary, args, timeout: TimeSpan.FromSeconds(60));
        output.WriteLine($"{Path.GetFileName(binary)} {string.Join(' ', args)}: exit {result.ExitCode}");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
