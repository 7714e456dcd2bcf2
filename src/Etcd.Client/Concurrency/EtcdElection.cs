using System.Runtime.CompilerServices;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Client.Concurrency;

/// <summary>
/// Leader election with the Go client's key layout ("&lt;name&gt;/&lt;lease id in hex&gt;", the value is the
/// proposal): the candidate whose key has the lowest create revision leads.
/// </summary>
public sealed class EtcdElection(EtcdClient client, string name)
{
    private readonly ByteString _prefix = ByteString.CopyFromUtf8(name + "/");
    private ByteString? _leaderKey;
    private long _leaderRevision;

    /// <summary>This candidate's key once <see cref="CampaignAsync"/> has run.</summary>
    public ByteString? Key => _leaderKey;

    /// <summary>Waits until this session leads, announcing value.</summary>
    public async Task CampaignAsync(EtcdSession session, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ByteString key = ByteString.CopyFromUtf8(name + "/" + session.LeaseId.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        ByteString proposal = ByteString.CopyFromUtf8(value);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = proposal, Lease = session.LeaseId } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        TxnResponse response = await client.KV.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        _leaderKey = key;
        _leaderRevision = response.Header.Revision;
        if (!response.Succeeded)
        {
            KeyValue existing = response.Responses[0].ResponseRange.Kvs[0];
            _leaderRevision = existing.CreateRevision;
            if (!existing.Value.Equals(proposal))
            {
                await ProclaimAsync(session, value, cancellationToken).ConfigureAwait(false);
            }
        }

        try
        {
            await KeyWaiter.WaitDeletesAsync(client, _prefix, _leaderRevision - 1, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await ResignAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Replaces the announced value while still leading.</summary>
    public async Task ProclaimAsync(EtcdSession session, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ByteString key = _leaderKey ?? throw new InvalidOperationException("election: not leader");
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = _leaderRevision });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(value), Lease = session.LeaseId } });
        TxnResponse response = await client.KV.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            _leaderKey = null;
            throw new InvalidOperationException("election: not leader");
        }
    }

    /// <summary>Gives up leadership (deletes this candidate's key if it is still the same key).</summary>
    public async Task ResignAsync(CancellationToken cancellationToken = default)
    {
        if (_leaderKey is not { } key)
        {
            return;
        }

        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = _leaderRevision });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } });
        await client.KV.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        _leaderKey = null;
    }

    /// <summary>Yields the leader's key and value each time the leader or its value changes.</summary>
    public async IAsyncEnumerable<RangeResponse> ObserveAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            RangeResponse first = await client.KV.RangeAsync(KeyWaiter.Edge(_prefix, first: true), cancellationToken: cancellationToken).ConfigureAwait(false);
            ResponseHeader header;
            KeyValue leader;
            if (first.Kvs.Count > 0)
            {
                header = first.Header;
                leader = first.Kvs[0];
            }
            else
            {
                (header, leader) = await WaitFirstPutAsync(first.Header.Revision, cancellationToken).ConfigureAwait(false);
            }

            var announcement = new RangeResponse { Header = header };
            announcement.Kvs.Add(leader);
            yield return announcement;

            using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> watch = client.Watch.Watch(cancellationToken: cancellationToken);
            await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = leader.Key, StartRevision = header.Revision + 1 } }, cancellationToken).ConfigureAwait(false);
            bool deleted = false;
            while (!deleted && await watch.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                WatchResponse response = watch.ResponseStream.Current;
                foreach (Event e in response.Events)
                {
                    if (e.Type == Event.Types.EventType.Delete)
                    {
                        deleted = true;
                        break;
                    }

                    var update = new RangeResponse { Header = response.Header };
                    update.Kvs.Add(e.Kv);
                    yield return update;
                }
            }
        }
    }

    // With no candidate yet, wait for the first put under the prefix.
    private async Task<(ResponseHeader Header, KeyValue Leader)> WaitFirstPutAsync(long revision, CancellationToken cancellationToken)
    {
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> watch = client.Watch.Watch(cancellationToken: cancellationToken);
        var create = new WatchCreateRequest { Key = _prefix, RangeEnd = KeyRange.PrefixEnd(_prefix), StartRevision = revision };
        await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, cancellationToken).ConfigureAwait(false);
        while (await watch.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            WatchResponse response = watch.ResponseStream.Current;
            foreach (Event e in response.Events)
            {
                if (e.Type == Event.Types.EventType.Put)
                {
                    ResponseHeader header = response.Header.Clone();
                    header.Revision = e.Kv.ModRevision;
                    return (header, e.Kv);
                }
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }
}
