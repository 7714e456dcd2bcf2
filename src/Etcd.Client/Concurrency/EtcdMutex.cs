using Etcd.Api.Etcdserverpb;
using Google.Protobuf;

namespace Etcd.Client.Concurrency;

/// <summary>
/// A distributed lock with the Go client's key layout ("&lt;name&gt;/&lt;lease id in hex&gt;"), so it
/// contends correctly with Go programs and the official etcdctl lock.
/// </summary>
public sealed class EtcdMutex(EtcdSession session, string name)
{
    private readonly ByteString _prefix = ByteString.CopyFromUtf8(name + "/");

    /// <summary>The key that represents this holder ("name/leasehex").</summary>
    public ByteString Key { get; } = ByteString.CopyFromUtf8(name + "/" + session.LeaseId.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The header of the call that confirmed ownership (its revision is the lock's).</summary>
    public ResponseHeader? Header { get; private set; }

    public async Task LockAsync(CancellationToken cancellationToken = default)
    {
        EtcdClient client = session.Client;
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = Key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key, Lease = session.LeaseId } });
        txn.Success.Add(new RequestOp { RequestRange = KeyWaiter.Edge(_prefix, first: true) });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Key } });
        txn.Failure.Add(new RequestOp { RequestRange = KeyWaiter.Edge(_prefix, first: true) });
        TxnResponse response = await client.KV.TxnAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        // A held key is reused, so locking twice from one session is harmless.
        long myRevision = response.Succeeded ? response.Header.Revision : response.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        var owner = response.Responses[1].ResponseRange.Kvs;
        if (owner.Count == 0 || owner[0].CreateRevision == myRevision)
        {
            Header = response.Header;
            return;
        }

        try
        {
            await KeyWaiter.WaitDeletesAsync(client, _prefix, myRevision - 1, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await UnlockAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        RangeResponse mine = await client.KV.RangeAsync(new RangeRequest { Key = Key }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (mine.Kvs.Count == 0)
        {
            throw new InvalidOperationException("session expired");
        }

        Header = mine.Header;
    }

    public async Task UnlockAsync(CancellationToken cancellationToken = default)
        => await session.Client.KV.DeleteRangeAsync(new DeleteRangeRequest { Key = Key }, cancellationToken: cancellationToken).ConfigureAwait(false);
}
