using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Client.Concurrency;

/// <summary>
/// The waiting shared by locks and elections: queue position is the key's create revision, and a
/// waiter proceeds once every key under the prefix created before it has been deleted.
/// </summary>
internal static class KeyWaiter
{
    /// <summary>The key under prefix with the lowest (first) or highest (last) create revision, at most maxCreateRevision.</summary>
    public static RangeRequest Edge(ByteString prefix, bool first, long maxCreateRevision = 0) => new()
    {
        Key = prefix,
        RangeEnd = KeyRange.PrefixEnd(prefix),
        SortTarget = RangeRequest.Types.SortTarget.Create,
        SortOrder = first ? RangeRequest.Types.SortOrder.Ascend : RangeRequest.Types.SortOrder.Descend,
        Limit = 1,
        MaxCreateRevision = maxCreateRevision,
    };

    /// <summary>Waits until no key under prefix has a create revision at or below maxCreateRevision.</summary>
    public static async Task<ResponseHeader> WaitDeletesAsync(EtcdClient client, ByteString prefix, long maxCreateRevision, CancellationToken cancellationToken)
    {
        while (true)
        {
            RangeResponse last = await client.KV.RangeAsync(Edge(prefix, first: false, maxCreateRevision), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (last.Kvs.Count == 0)
            {
                return last.Header;
            }

            await WaitDeleteAsync(client, last.Kvs[0].Key, last.Header.Revision, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WaitDeleteAsync(EtcdClient client, ByteString key, long revision, CancellationToken cancellationToken)
    {
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> watch = client.Watch.Watch(cancellationToken: cancellationToken);
        await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = key, StartRevision = revision } }, cancellationToken).ConfigureAwait(false);
        while (await watch.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            WatchResponse response = watch.ResponseStream.Current;
            if (response.Canceled)
            {
                throw new InvalidOperationException("watch canceled while waiting for " + key.ToStringUtf8() + ": " + response.CancelReason);
            }

            foreach (Event e in response.Events)
            {
                if (e.Type == Event.Types.EventType.Delete)
                {
                    return;
                }
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }
}
