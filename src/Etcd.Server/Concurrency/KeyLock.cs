using Etcd.Api.Etcdserverpb;
using Etcd.Api.V3lockpb;

namespace Etcd.Server.Concurrency;

/// <summary>
/// etcd's lock algorithm: each contender puts "name/lease" with its lease, and holds the lock
/// when no key under the name has an older create revision, waiting for the deletion of the
/// next older one until none is left. Whoever holds it can fence writes with its key's create
/// revision, which is unique and increases from holder to holder.
/// </summary>
public sealed class KeyLock(LocalKv kv)
{
    public async Task<LockResponse> LockAsync(LockRequest request, CancellationToken cancellationToken)
    {
        var lease = await kv.LeaseOrGrantAsync(request.Lease, cancellationToken).ConfigureAwait(false);
        var prefix = KeyPrefix.Of(request.Name);
        var myKey = KeyPrefix.LeaseKey(prefix, lease);
        var oldest = new RequestOp
        {
            RequestRange = new RangeRequest
            {
                Key = prefix,
                RangeEnd = KeyPrefix.End(prefix),
                SortTarget = RangeRequest.Types.SortTarget.Create,
                SortOrder = RangeRequest.Types.SortOrder.Ascend,
                Limit = 1,
            },
        };
        // One round trip on the uncontended path: enter (or find our key from before) and see who is first.
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = myKey, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = myKey, Lease = lease } }, oldest },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = myKey } }, oldest },
        };
        var entered = await kv.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        var myRevision = entered.Succeeded ? entered.Header.Revision : entered.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        var first = entered.Responses[1].ResponseRange.Kvs;
        if (first.Count == 0 || first[0].CreateRevision == myRevision)
            return new LockResponse { Header = entered.Header, Key = myKey };

        try
        {
            var header = await kv.WaitDeletesAsync(prefix, myRevision - 1, cancellationToken).ConfigureAwait(false);
            return new LockResponse { Header = header, Key = myKey };
        }
        catch
        {
            // Gave up waiting: leave the queue so that nobody waits behind us.
            await kv.DeleteAsync(myKey, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<UnlockResponse> UnlockAsync(UnlockRequest request, CancellationToken cancellationToken)
    {
        var deleted = await kv.DeleteAsync(request.Key, cancellationToken).ConfigureAwait(false);
        return new UnlockResponse { Header = deleted.Header };
    }

}
