using System.Runtime.CompilerServices;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Api.V3electionpb;
using Etcd.Server.Api;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Concurrency;

/// <summary>
/// etcd's election algorithm: candidates put "name/lease" with their proposal; the leader is
/// the key with the oldest create revision; a candidate waits for every older key's deletion.
/// </summary>
public sealed class KeyElection(LocalKv kv)
{
    // etcd's errors, which its server returns as plain (Unknown) gRPC errors.
    private static EtcdException NotLeader => EtcdErrors.ElectionNotLeader;
    private static EtcdException NoLeader => EtcdErrors.ElectionNoLeader;
    private static EtcdException MissingLeaderKey => EtcdErrors.ElectionMissingLeaderKey;

    public async Task<CampaignResponse> CampaignAsync(CampaignRequest request, CancellationToken cancellationToken)
    {
        var lease = await kv.LeaseOrGrantAsync(request.Lease, cancellationToken).ConfigureAwait(false);
        var prefix = KeyPrefix.Of(request.Name);
        var key = KeyPrefix.LeaseKey(prefix, lease);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = request.Value, Lease = lease } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
        };
        var entered = await kv.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        var leader = new LeaderKey { Name = request.Name, Key = key, Rev = entered.Header.Revision, Lease = lease };
        if (!entered.Succeeded)
        {
            // Campaigning again with the same lease: keep our place, and update the proposal.
            var existing = entered.Responses[0].ResponseRange.Kvs[0];
            leader.Rev = existing.CreateRevision;
            if (existing.Value != request.Value)
            {
                try
                {
                    await ProclaimAsync(new ProclaimRequest { Leader = leader, Value = request.Value }, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await ResignAsync(new ResignRequest { Leader = leader }, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }
        }

        try
        {
            await kv.WaitDeletesAsync(prefix, leader.Rev - 1, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ResignAsync(new ResignRequest { Leader = leader }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return new CampaignResponse { Header = entered.Header, Leader = leader };
    }

    public async Task<ProclaimResponse> ProclaimAsync(ProclaimRequest request, CancellationToken cancellationToken)
    {
        var leader = request.Leader ?? throw MissingLeaderKey;
        var txn = new TxnRequest
        {
            Compare = { StillLeader(leader) },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = leader.Key, Value = request.Value, Lease = leader.Lease } } },
        };
        var response = await kv.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded) throw NotLeader;
        return new ProclaimResponse { Header = response.Header };
    }

    public async Task<ResignResponse> ResignAsync(ResignRequest request, CancellationToken cancellationToken)
    {
        var leader = request.Leader ?? throw MissingLeaderKey;
        var txn = new TxnRequest
        {
            Compare = { StillLeader(leader) },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = leader.Key } } },
        };
        var response = await kv.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        return new ResignResponse { Header = response.Header };
    }

    public async Task<LeaderResponse> LeaderAsync(LeaderRequest request, CancellationToken cancellationToken)
    {
        var first = await FirstAsync(KeyPrefix.Of(request.Name), cancellationToken).ConfigureAwait(false);
        if (first.Kvs.Count == 0) throw NoLeader;
        return new LeaderResponse { Header = first.Header, Kv = first.Kvs[0] };
    }

    /// <summary>
    /// etcd's Observe: the current leader's proposal, then each new proposal of that leader,
    /// then the next leader's when it is deleted. Ends when a watch is lost (compaction).
    /// </summary>
    public async IAsyncEnumerable<LeaderResponse> ObserveAsync(LeaderRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = KeyPrefix.Of(request.Name);
        while (true)
        {
            var first = await FirstAsync(prefix, cancellationToken).ConfigureAwait(false);
            ResponseHeader header;
            KeyValue leader;
            if (first.Kvs.Count > 0)
            {
                header = first.Header;
                leader = first.Kvs[0];
            }
            else
            {
                // No leader yet: wait for the first proposal under the name.
                var put = await FirstPutAsync(prefix, first.Header.Revision, cancellationToken).ConfigureAwait(false);
                if (put is null) yield break;
                (header, leader) = put.Value;
            }
            yield return new LeaderResponse { Header = header, Kv = leader };

            var deleted = false;
            await foreach (var response in kv.WatchAsync(new WatchCreateRequest { Key = leader.Key, StartRevision = header.Revision + 1 }, cancellationToken).ConfigureAwait(false))
            {
                foreach (var change in response.Events)
                {
                    if (change.Type == Event.Types.EventType.Delete)
                    {
                        deleted = true;
                        break;
                    }
                    yield return new LeaderResponse { Header = response.Header, Kv = change.Kv };
                }
                if (deleted) break;
            }
            if (!deleted) yield break;
        }
    }

    private async Task<(ResponseHeader, KeyValue)?> FirstPutAsync(ByteString prefix, long fromRevision, CancellationToken cancellationToken)
    {
        var watch = new WatchCreateRequest { Key = prefix, RangeEnd = KeyPrefix.End(prefix), StartRevision = fromRevision };
        await foreach (var response in kv.WatchAsync(watch, cancellationToken).ConfigureAwait(false))
        {
            foreach (var change in response.Events)
            {
                // Only puts: a deletion would have the observer spin.
                if (change.Type != Event.Types.EventType.Put) continue;
                var header = response.Header.Clone();
                header.Revision = change.Kv.ModRevision;
                return (header, change.Kv);
            }
        }
        return null;
    }

    private Task<RangeResponse> FirstAsync(ByteString prefix, CancellationToken cancellationToken) =>
        kv.RangeAsync(new RangeRequest
        {
            Key = prefix,
            RangeEnd = KeyPrefix.End(prefix),
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
            Limit = 1,
        }, cancellationToken);

    private static Compare StillLeader(LeaderKey leader) => new()
    {
        Key = leader.Key,
        Target = Compare.Types.CompareTarget.Create,
        Result = Compare.Types.CompareResult.Equal,
        CreateRevision = leader.Rev,
    };
}
