using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Mvcc;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.State;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Concurrency;

/// <summary>
/// The key space of this member as a client sees it, for the Lock and Election services (etcd
/// runs them as clients of their own server): writes through Raft, linearizable reads, leases,
/// and waiting for a key's deletion with a watch. With a <paramref name="caller"/> (while auth is
/// enabled) every step is checked against the permissions of whoever called the service, as
/// etcd's in-process client carries the caller's token.
/// </summary>
public sealed class LocalKv(EtcdServer server, ServerCallContext? caller = null)
{
    /// <summary>etcd's session TTL when a lock or campaign names no lease: one is granted with it.</summary>
    public const long DefaultSessionTtl = 60;

    public async Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
    {
        var response = (TxnResponse)await ProposeAsync(new InternalRaftRequest { Txn = request }, cancellationToken).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public async Task<DeleteRangeResponse> DeleteAsync(ByteString key, CancellationToken cancellationToken)
    {
        var request = new DeleteRangeRequest { Key = key };
        var response = (DeleteRangeResponse)await ProposeAsync(new InternalRaftRequest { DeleteRange = request }, cancellationToken).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        await server.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
        var reader = caller is not null && server.Auth.Enabled
            ? await server.Callers.RequireReadAsync(caller, request.Key.Memory, request.RangeEnd.Memory).ConfigureAwait(false)
            : null;
        RangeResponse response;
        try
        {
            response = server.Kv.Range(request);
        }
        catch (MvccException e)
        {
            throw MvccErrors.ToEtcd(e);
        }
        if (reader is not null) server.Callers.CheckUnchanged(reader);
        server.FillHeader(response.Header);
        return response;
    }

    /// <summary>The lease to hold keys with: the caller's, or a new one with etcd's session TTL that nobody keeps alive.</summary>
    public async Task<long> LeaseOrGrantAsync(long lease, CancellationToken cancellationToken)
    {
        if (lease != 0) return lease;
        var request = new LeaseGrantRequest { TTL = DefaultSessionTtl };
        while (request.ID == 0) request.ID = (long)(server.NextRequestId() & long.MaxValue);
        var response = (LeaseGrantResponse)await ProposeAsync(new InternalRaftRequest { LeaseGrant = request }, cancellationToken).ConfigureAwait(false);
        return response.ID;
    }

    /// <summary>
    /// etcd's waitDeletes: waits until no key under <paramref name="prefix"/> created at or
    /// before <paramref name="maxCreateRevision"/> is left, newest first; returns the header of
    /// the read that found none.
    /// </summary>
    public async Task<ResponseHeader> WaitDeletesAsync(ByteString prefix, long maxCreateRevision, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newest = await RangeAsync(new RangeRequest
            {
                Key = prefix,
                RangeEnd = KeyPrefix.End(prefix),
                SortTarget = RangeRequest.Types.SortTarget.Create,
                SortOrder = RangeRequest.Types.SortOrder.Descend,
                Limit = 1,
                MaxCreateRevision = maxCreateRevision,
            }, cancellationToken).ConfigureAwait(false);
            if (newest.Kvs.Count == 0) return newest.Header;
            await WaitDeleteAsync(newest.Kvs[0].Key, newest.Header.Revision, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a deletion of <paramref name="key"/> at or after <paramref name="fromRevision"/>.</summary>
    public async Task WaitDeleteAsync(ByteString key, long fromRevision, CancellationToken cancellationToken)
    {
        await foreach (var response in WatchAsync(new WatchCreateRequest { Key = key, StartRevision = fromRevision }, cancellationToken).ConfigureAwait(false))
        {
            foreach (var change in response.Events)
            {
                if (change.Type == Event.Types.EventType.Delete) return;
            }
        }
        throw EtcdErrors.LostWatcher;
    }

    /// <summary>The event responses of one watcher, until it is cancelled (its start was compacted) or the caller stops.</summary>
    public async IAsyncEnumerable<WatchResponse> WatchAsync(WatchCreateRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (caller is not null && server.Auth.Enabled) await server.Callers.RequireReadAsync(caller, request.Key.Memory, request.RangeEnd.Memory).ConfigureAwait(false);
        var session = server.Watches.OpenSession();
        try
        {
            session.Create(request);
            while (await session.WaitToTakeAsync(cancellationToken).ConfigureAwait(false))
            {
                while (session.TryTake(out var response, out _))
                {
                    if (response.Canceled) yield break;
                    if (response.Created) continue;
                    yield return response;
                }
            }
        }
        finally
        {
            session.Close();
        }
    }

    private async Task<Google.Protobuf.IMessage> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        var identity = caller is not null && server.Auth.Enabled ? await server.Callers.ResolveAsync(caller).ConfigureAwait(false) : null;
        return await server.ProposeAsync(request, cancellationToken, identity).ConfigureAwait(false);
    }
}
