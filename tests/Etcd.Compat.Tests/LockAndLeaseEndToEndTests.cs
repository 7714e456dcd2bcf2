using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Api.V3lockpb;
using Etcd.Client;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Compat.Tests;

/// <summary>
/// Our server over gRPC: the lock service excludes holders from each other and hands out
/// increasing fencing tokens, and a lease's keys disappear in the revoking revision.
/// </summary>
public sealed class LockAndLeaseEndToEndTests : IAsyncLifetime
{
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

    [Fact]
    public async Task HoldersNeverOverlapAndFencingTokensOnlyGrow()
    {
        const int contenders = 6;
        const int rounds = 4;
        var holders = 0;
        var tokens = new List<long>();
        var fencedWrites = 0;
        async Task Contend(int who)
        {
            for (var round = 0; round < rounds; round++)
            {
                var lease = await _client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 30 });
                var locked = await _client.Lock.LockAsync(new LockRequest { Name = B("fence"), Lease = lease.ID });
                // The fencing token is the lock key's create revision.
                var token = (await _client.KV.RangeAsync(new RangeRequest { Key = locked.Key })).Kvs[0].CreateRevision;
                Assert.Equal(1, Interlocked.Increment(ref holders));
                lock (tokens) tokens.Add(token);
                // A guarded write as a fenced resource would do it: only with a token newer than the last one seen.
                var write = new TxnRequest
                {
                    Compare = { new Compare { Key = B("resource/token"), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Less, Value = B(token.ToString("D12")) } },
                    Success =
                    {
                        new RequestOp { RequestPut = new PutRequest { Key = B("resource/token"), Value = B(token.ToString("D12")) } },
                        new RequestOp { RequestPut = new PutRequest { Key = B("resource/data"), Value = B($"{who}:{round}") } },
                    },
                };
                var guarded = await _client.KV.TxnAsync(write);
                if (guarded.Succeeded) Interlocked.Increment(ref fencedWrites);
                await _client.KV.PutAsync(new PutRequest { Key = B("resource/data"), Value = B($"{who}:{round}") });
                Assert.Equal(0, Interlocked.Decrement(ref holders));
                await _client.Lock.UnlockAsync(new UnlockRequest { Key = locked.Key });
                await _client.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID });
            }
        }

        await _client.KV.PutAsync(new PutRequest { Key = B("resource/token"), Value = B(0.ToString("D12")) });
        await Task.WhenAll(Enumerable.Range(0, contenders).Select(Contend));

        Assert.Equal(contenders * rounds, tokens.Count);
        for (var i = 1; i < tokens.Count; i++) Assert.True(tokens[i] > tokens[i - 1], $"token {tokens[i]} after {tokens[i - 1]}");
        Assert.Equal(contenders * rounds, fencedWrites);

        // No two holders' writes interleave: the data key's history comes in pairs from one holder.
        var history = await _client.KV.RangeAsync(new RangeRequest { Key = B("resource/data") });
        var values = new List<string>();
        for (long revision = 2; revision <= history.Header.Revision; revision++)
        {
            var at = await _client.KV.RangeAsync(new RangeRequest { Key = B("resource/data"), Revision = revision });
            if (at.Kvs.Count == 1 && at.Kvs[0].ModRevision == revision) values.Add(at.Kvs[0].Value.ToStringUtf8());
        }
        Assert.Equal(2 * contenders * rounds, values.Count);
        for (var i = 0; i < values.Count; i += 2) Assert.Equal(values[i], values[i + 1]);
    }

    [Fact]
    public async Task ALeasesKeysAreDeletedTogetherInTheRevokingRevision()
    {
        var lease = await _client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 });
        foreach (var key in new[] { "leased/a", "leased/b", "leased/c" })
            await _client.KV.PutAsync(new PutRequest { Key = B(key), Value = B("v"), Lease = lease.ID });
        await _client.KV.PutAsync(new PutRequest { Key = B("leased/free"), Value = B("v") });

        using var watch = _client.Watch.Watch();
        await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = B("leased/"), RangeEnd = B("leased0") } });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(watch.ResponseStream.Current.Created);

        var revoked = await _client.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var deletions = watch.ResponseStream.Current;
        Assert.Equal(revoked.Header.Revision, deletions.Header.Revision);
        Assert.Equal(["leased/a", "leased/b", "leased/c"], deletions.Events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.All(deletions.Events, e => Assert.Equal(Event.Types.EventType.Delete, e.Type));
        Assert.All(deletions.Events, e => Assert.Equal(revoked.Header.Revision, e.Kv.ModRevision));
        // Just before the revocation all were there; at it, only the key without a lease is left.
        Assert.Equal(4, (await _client.KV.RangeAsync(new RangeRequest { Key = B("leased/"), RangeEnd = B("leased0"), Revision = revoked.Header.Revision - 1 })).Count);
        Assert.Equal(1, (await _client.KV.RangeAsync(new RangeRequest { Key = B("leased/"), RangeEnd = B("leased0"), Revision = revoked.Header.Revision })).Count);

        var ttl = await _client.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID });
        Assert.Equal(-1, ttl.TTL);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID }));
        Assert.Equal("etcdserver: requested lease not found", error.Status.Detail);
    }

    [Fact]
    public async Task AKeepAliveStreamRenewsAndAnswersZeroForAGoneLease()
    {
        var lease = await _client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 5 });
        using var keepAlive = _client.Lease.LeaseKeepAlive();
        await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease.ID });
        Assert.True(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(5, keepAlive.ResponseStream.Current.TTL);
        await _client.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID });
        await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease.ID });
        Assert.True(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, keepAlive.ResponseStream.Current.TTL);
        Assert.Equal(lease.ID, keepAlive.ResponseStream.Current.ID);
    }

    [Fact]
    public async Task LeaseGrantWithAChosenIdAndItsErrors()
    {
        var granted = await _client.Lease.LeaseGrantAsync(new LeaseGrantRequest { ID = 0x1234, TTL = 1 });
        Assert.Equal(0x1234, granted.ID);
        Assert.Equal(2, granted.TTL);
        var exists = await Assert.ThrowsAsync<RpcException>(async () => await _client.Lease.LeaseGrantAsync(new LeaseGrantRequest { ID = 0x1234, TTL = 10 }));
        Assert.Equal(StatusCode.FailedPrecondition, exists.StatusCode);
        Assert.Equal("etcdserver: lease already exists", exists.Status.Detail);
        var leases = await _client.Lease.LeaseLeasesAsync(new LeaseLeasesRequest());
        Assert.Contains(leases.Leases, l => l.ID == 0x1234);
    }
}
