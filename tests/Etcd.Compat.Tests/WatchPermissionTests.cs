using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;

namespace Etcd.Compat.Tests;

/// <summary>
/// A watch is checked as the range it watches: a user allowed to read one key may watch that key,
/// not every key after it by asking for the range end "\0" (etcd's advisory GHSA-xg4h-6gfc-h4m8,
/// which etcd 3.4.23 still has).
/// </summary>
public sealed class WatchPermissionTests : IAsyncLifetime
{
    private EtcdProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = await EtcdProcess.StartAsync(Binaries.OurEtcd);
        var etcdctl = new Etcdctl(_server.Endpoint, Binaries.OfficialEtcdctl);
        foreach (var step in new[]
        {
            "user add root:rootpw", "user add alice:alicepw", "role add one-key", "role add from-b",
            "role grant-permission one-key read a", "role grant-permission from-b read --from-key b",
            "user grant-role alice one-key", "auth enable",
        })
        {
            var result = await etcdctl.RunAsync(step.Split(' '));
            Assert.True(result.ExitCode == 0, $"etcdctl {step}: {result}");
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<WatchResponse> CreateWatchAsync(string user, string password, string key, ByteString rangeEnd)
    {
        using var client = await EtcdClient.ConnectAsync(new EtcdClientOptions { Endpoints = [_server.Endpoint], Username = user, Password = password });
        using var call = client.Watch.Watch();
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(key), RangeEnd = rangeEnd } });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token));
        var created = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();
        return created;
    }

    [Fact]
    public async Task AWatchFromAKeyOnNeedsThePermissionForEveryKeyAfterIt()
    {
        var fromKey = ByteString.CopyFrom(0);
        var oneKey = await CreateWatchAsync("alice", "alicepw", "a", ByteString.Empty);
        Assert.True(oneKey.Created && !oneKey.Canceled, oneKey.ToString());

        var openRange = await CreateWatchAsync("alice", "alicepw", "a", fromKey);
        Assert.True(openRange.Canceled, "a user allowed the key \"a\" alone watched every key from \"a\" on: " + openRange);
        Assert.Equal("rpc error: code = PermissionDenied desc = etcdserver: permission denied", openRange.CancelReason);

        // A grant from a key on does allow that watch.
        var grant = await new Etcdctl(_server.Endpoint, Binaries.OfficialEtcdctl).RunAsync(["--user", "root:rootpw", "user", "grant-role", "alice", "from-b"]);
        Assert.Equal(0, grant.ExitCode);
        var allowed = await CreateWatchAsync("alice", "alicepw", "b", fromKey);
        Assert.True(allowed.Created && !allowed.Canceled, allowed.ToString());
        var fromA = await CreateWatchAsync("alice", "alicepw", "a", fromKey);
        Assert.True(fromA.Canceled, "\"a\" + everything from \"b\" on still misses the keys between them: " + fromA);
    }
}
