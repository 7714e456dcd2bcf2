using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;

namespace Etcd.Compat.Tests;

/// <summary>
/// The requests the Kubernetes API server sends, against reference etcd and ours over gRPC:
/// each response must be the same message but for the member's ids and term.
/// </summary>
public sealed class KubernetesPatternTests : IAsyncLifetime
{
    private EtcdProcess _reference = null!;
    private EtcdProcess _ours = null!;
    private EtcdClient _referenceClient = null!;
    private EtcdClient _ourClient = null!;

    public async Task InitializeAsync()
    {
        (_reference, _ours) = await EtcdProcess.StartBothAsync();
        _referenceClient = EtcdClient.Create(new EtcdClientOptions { Endpoints = [_reference.Endpoint] });
        _ourClient = EtcdClient.Create(new EtcdClientOptions { Endpoints = [_ours.Endpoint] });
    }

    public async Task DisposeAsync()
    {
        _referenceClient.Dispose();
        _ourClient.Dispose();
        await _reference.DisposeAsync();
        await _ours.DisposeAsync();
    }

    private static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    // Kubernetes' create: put only if the key does not exist (mod_revision == 0).
    private static TxnRequest Create(string key, string value)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = B(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B(key), Value = B(value) } });
        return txn;
    }

    // Kubernetes' update and delete: act if mod_revision is still what was read, else read it back.
    private static TxnRequest Guarded(string key, long modRevision, RequestOp onSuccess)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = B(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = modRevision });
        txn.Success.Add(onSuccess);
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = B(key) } });
        return txn;
    }

    private async Task<T> Same<T>(Func<EtcdClient, Task<T>> call) where T : IMessage<T>
    {
        var expected = await call(_referenceClient);
        var actual = await call(_ourClient);
        Assert.Equal(Blank(expected.Clone()).ToString(), Blank(actual.Clone()).ToString());
        return actual;
    }

    // Clears the fields that name the member (ids, term) wherever a header appears.
    private static T Blank<T>(T message) where T : IMessage
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (value is ResponseHeader header)
            {
                header.ClusterId = 0;
                header.MemberId = 0;
                header.RaftTerm = 0;
            }
            else if (value is IMessage nested)
            {
                Blank(nested);
            }
            else if (value is System.Collections.IList list)
            {
                foreach (var item in list)
                {
                    if (item is IMessage m) Blank(m);
                }
            }
        }
        return message;
    }

    [Fact]
    public async Task CreateUpdateDeleteListAndCountAnswerLikeEtcd()
    {
        for (var i = 0; i < 25; i++)
            await Same(c => c.KV.TxnAsync(Create($"/registry/pods/default/pod-{i:D2}", $"spec-{i}")).ResponseAsync);
        // Creating an existing object fails the compare.
        await Same(c => c.KV.TxnAsync(Create("/registry/pods/default/pod-03", "again")).ResponseAsync);

        var current = await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B("/registry/pods/default/pod-03") }).ResponseAsync);
        var modRevision = current.Kvs[0].ModRevision;
        await Same(c => c.KV.TxnAsync(Guarded("/registry/pods/default/pod-03", modRevision,
            new RequestOp { RequestPut = new PutRequest { Key = B("/registry/pods/default/pod-03"), Value = B("updated") } })).ResponseAsync);
        // A stale update reads the object back in the failure branch.
        await Same(c => c.KV.TxnAsync(Guarded("/registry/pods/default/pod-03", modRevision,
            new RequestOp { RequestPut = new PutRequest { Key = B("/registry/pods/default/pod-03"), Value = B("stale") } })).ResponseAsync);
        var pod7 = await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B("/registry/pods/default/pod-07") }).ResponseAsync);
        await Same(c => c.KV.TxnAsync(Guarded("/registry/pods/default/pod-07", pod7.Kvs[0].ModRevision,
            new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("/registry/pods/default/pod-07"), PrevKv = true } })).ResponseAsync);

        // A paged list: the first page at the current revision, the next pages at that revision.
        var prefix = "/registry/pods/";
        var end = "/registry/pods0";
        var page = await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B(prefix), RangeEnd = B(end), Limit = 10 }).ResponseAsync);
        var listRevision = page.Header.Revision;
        await Same(c => c.KV.PutAsync(new PutRequest { Key = B("/registry/pods/default/pod-99"), Value = B("late") }).ResponseAsync);
        while (page.More)
        {
            var next = page.Kvs[^1].Key.ToStringUtf8() + "\0";
            page = await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B(next), RangeEnd = B(end), Limit = 10, Revision = listRevision }).ResponseAsync);
        }
        // Object counts.
        await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B(prefix), RangeEnd = B(end), CountOnly = true }).ResponseAsync);
        await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B(prefix), RangeEnd = B(end), KeysOnly = true, Limit = 3, SortOrder = RangeRequest.Types.SortOrder.Descend, SortTarget = RangeRequest.Types.SortTarget.Mod }).ResponseAsync);
        await Same(c => c.KV.RangeAsync(new RangeRequest { Key = B(prefix), RangeEnd = B(end), MinModRevision = 10, MaxCreateRevision = 20, Serializable = true }).ResponseAsync);
    }
}
