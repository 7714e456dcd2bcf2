using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Peers.Protocol;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Server.Peers;

/// <summary>
/// Sends one MsgSnap with the state it describes: the message first, then every pair of the
/// backend view, bucket by bucket, in chunks. Raft hears the outcome (ReportSnapshot) once the
/// receiver has the state on disk, or the send failed.
/// </summary>
public sealed class SnapshotSender(PeerTransport transport, Message message, IReadOnlyList<string> urls, IBackendSnapshot view)
{
    // Pairs are gathered up to about this many bytes per chunk, and the view is scanned that far
    // at a time, so the sender never holds more than one chunk.
    private const int ChunkBytes = 1024 * 1024;

    // A snapshot of a large backend takes a while; a stalled receiver is given up after this.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public async Task RunAsync()
    {
        var logger = transport.Logger;
        var to = message.To;
        var index = message.Snapshot.Metadata.Index;
        logger.Info("sending database snapshot", LogField.Id("snapshot-receiver-id", to), LogField.Of("snapshot-index", index),
            LogField.Of("remote-peer-urls", urls));
        ulong pairs = 0;
        long bytes = 0;
        try
        {
            using (view)
            {
                using var channel = transport.Channels.Open(urls[0]);
                using var timeout = new CancellationTokenSource(Timeout);
                var client = new RaftPeer.RaftPeerClient(channel);
                using var call = client.Snapshot(transport.HeadersFor(to), cancellationToken: timeout.Token);
                await call.RequestStream.WriteAsync(new SnapshotChunk { Message = message }, timeout.Token).ConfigureAwait(false);
                foreach (var bucket in Enum.GetValues<Bucket>())
                {
                    byte[] from = [];
                    while (true)
                    {
                        var chunk = new SnapshotChunk();
                        var next = Collect(view, bucket, from, chunk, ref bytes);
                        pairs += (ulong)chunk.Pairs.Count;
                        if (chunk.Pairs.Count > 0) await call.RequestStream.WriteAsync(chunk, timeout.Token).ConfigureAwait(false);
                        if (next is null) break;
                        from = next;
                    }
                }
                await call.RequestStream.WriteAsync(new SnapshotChunk { Last = true, TotalPairs = pairs }, timeout.Token).ConfigureAwait(false);
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                await call.ResponseAsync.ConfigureAwait(false);
            }
            transport.ReportSnapshot(to, SnapshotStatus.Finish);
            logger.Info("sent database snapshot", LogField.Id("snapshot-receiver-id", to), LogField.Of("snapshot-index", index),
                LogField.Of("snapshot-size-bytes", bytes), LogField.Of("snapshot-pairs", pairs));
        }
        catch (Exception e)
        {
            if (e is Grpc.Core.RpcException refused && PeerRejection.Is(refused, PeerRejection.RemovedMember)) transport.OnRemovedFromCluster();
            transport.ReportUnreachable(to);
            transport.ReportSnapshot(to, SnapshotStatus.Failure);
            logger.Warn("failed to send database snapshot", LogField.Id("snapshot-receiver-id", to), LogField.Of("snapshot-index", index),
                LogField.Of("error", e is Grpc.Core.RpcException rpc ? rpc.Status.Detail : e.Message));
        }
    }

    /// <summary>
    /// Adds the pairs of <paramref name="bucket"/> from <paramref name="from"/> on until the chunk
    /// is full; returns the key to resume at, or null when the bucket is done.
    /// </summary>
    private static byte[]? Collect(IBackendSnapshot view, Bucket bucket, byte[] from, SnapshotChunk chunk, ref long bytes)
    {
        var size = 0;
        byte[]? resumeAt = null;
        view.Scan(bucket, from, [], (key, value) =>
        {
            if (size >= ChunkBytes)
            {
                resumeAt = key.ToArray();
                return false;
            }
            chunk.Pairs.Add(new BackendPair { Bucket = (uint)bucket, Key = ByteString.CopyFrom(key), Value = ByteString.CopyFrom(value) });
            size += key.Length + value.Length;
            return true;
        });
        bytes += size;
        return resumeAt;
    }
}
