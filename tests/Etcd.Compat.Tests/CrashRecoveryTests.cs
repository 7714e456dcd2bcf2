using System.Collections.Concurrent;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Nothing acknowledged is lost: writers put keys as fast as they can, the server is killed with
/// SIGKILL at a random moment, restarted on the same data dir, and every write that was
/// acknowledged must be there with its value. Re-run a failing seed with CRASH_SEED=N.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Writers = 16;
    private const int Rounds = 3;

    [Fact]
    public async Task AcknowledgedWritesSurviveKillNine()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CRASH_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (re-run with CRASH_SEED={seed})");
        var random = new Random(seed);
        var dataDir = Directory.CreateTempSubdirectory("etcd-crash-").FullName;
        var clientPort = FreePort.Next();
        var peerPort = FreePort.Next();
        var acknowledged = new ConcurrentDictionary<string, string>();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort);
                try
                {
                    await AssertAllPresent(member, acknowledged, seed, round);
                    using var stop = new CancellationTokenSource();
                    var writers = Enumerable.Range(0, Writers)
                        .Select(w => WriteUntilStopped(member, $"crash/{round}/{w}/", acknowledged, stop.Token))
                        .ToArray();
                    // Let the writers get going, then crash the server under their feet.
                    await Task.Delay(TimeSpan.FromMilliseconds(200 + random.Next(1500)));
                    member.Kill();
                    stop.Cancel();
                    await Task.WhenAll(writers);
                    output.WriteLine($"round {round}: {acknowledged.Count} acknowledged so far");
                }
                finally
                {
                    await member.DisposeAsync();
                }
            }
            var last = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort);
            await using (last)
            {
                await AssertAllPresent(last, acknowledged, seed, Rounds);
            }
            Assert.True(acknowledged.Count > Rounds * Writers, $"the writers got too few writes acknowledged to test anything ({acknowledged.Count})");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task WriteUntilStopped(EtcdProcess member, string prefix, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [member.Endpoint] });
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = prefix + n;
            var value = $"value-{n}";
            try
            {
                await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) },
                    deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: CancellationToken.None);
            }
            catch (Grpc.Core.RpcException)
            {
                return; // the server died: this write was not acknowledged
            }
            acknowledged[key] = value;
        }
    }

    private static async Task AssertAllPresent(EtcdProcess member, ConcurrentDictionary<string, string> acknowledged, int seed, int round)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [member.Endpoint] });
        var stored = new Dictionary<string, string>();
        var response = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("crash/"), RangeEnd = ByteString.CopyFromUtf8("crash0") });
        foreach (var kv in response.Kvs) stored[kv.Key.ToStringUtf8()] = kv.Value.ToStringUtf8();
        foreach (var (key, value) in acknowledged)
        {
            Assert.True(stored.TryGetValue(key, out var found) && found == value,
                $"seed {seed}, before round {round}: acknowledged {key}={value} but the restarted server has {(found is null ? "nothing" : found)}");
        }
    }
}
