using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Peers.Protocol;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Etcd.Storage.Durability;
using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// Receives a MsgSnap and the backend that goes with it, and writes the backend to disk (synced)
/// before the message is handed to Raft, as etcd does: Raft may persist the snapshot as soon as it
/// sees it, and from then on the state must be recoverable.
/// </summary>
public sealed class SnapshotReceiver(ReceivedBackends backends, ulong localId, ZapLogger logger)
{
    public async Task<Message> ReceiveAsync(IAsyncStreamReader<SnapshotChunk> chunks, ulong from, PeerMessageCheck check, CancellationToken cancellationToken)
    {
        if (!await chunks.MoveNext(cancellationToken).ConfigureAwait(false) || chunks.Current.Message is not { } message)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "snapshot stream must start with the raft message"));
        if (message.Type != MessageType.MsgSnap || message.Snapshot?.Metadata is null)
        {
            logger.Warn("unexpected Raft message type", LogField.Id("local-member-id", localId), LogField.Id("remote-snapshot-sender-id", from),
                LogField.Of("message-type", message.Type.ToString()));
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"wrong raft message type {message.Type} on snapshot path"));
        }
        // Checked before anything is written: a stranger's snapshot never reaches the disk.
        if (check.Refusal(message, from) is { } refused)
        {
            logger.Warn("dropped Raft message from peer", LogField.Id("local-member-id", localId), LogField.Id("remote-peer-id", from),
                LogField.Of("message-type", message.Type.ToString()), LogField.Id("message-from", message.From), LogField.Of("reason", refused));
            throw PeerRejection.Rejected(StatusCode.PermissionDenied, refused);
        }
        var index = message.Snapshot.Metadata.Index;
        logger.Info("receiving database snapshot", LogField.Id("local-member-id", localId), LogField.Id("remote-snapshot-sender-id", from),
            LogField.Of("incoming-snapshot-index", index));

        var staging = backends.StagingPathFor(index);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        try
        {
            var (pairs, bytes) = await WriteBackendAsync(chunks, staging, cancellationToken).ConfigureAwait(false);
            var final = backends.PathFor(index);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(staging, final);
            DirectorySync.Flush(backends.Directory);
            logger.Info("received and saved database snapshot", LogField.Id("local-member-id", localId), LogField.Id("remote-snapshot-sender-id", from),
                LogField.Of("incoming-snapshot-index", index), LogField.Of("incoming-snapshot-size-bytes", bytes), LogField.Of("incoming-snapshot-pairs", pairs));
            return message;
        }
        catch (Exception e)
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            logger.Warn("failed to save incoming database snapshot", LogField.Id("local-member-id", localId), LogField.Id("remote-snapshot-sender-id", from),
                LogField.Of("incoming-snapshot-index", index), LogField.Of("error", e.Message));
            throw;
        }
    }

    private static async Task<(ulong Pairs, long Bytes)> WriteBackendAsync(IAsyncStreamReader<SnapshotChunk> chunks, string directory, CancellationToken cancellationToken)
    {
        ulong pairs = 0;
        long bytes = 0;
        using var backend = RocksDbBackend.Open(directory);
        using var batch = backend.CreateBatch();
        while (await chunks.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var chunk = chunks.Current;
            foreach (var pair in chunk.Pairs)
            {
                if (!Enum.IsDefined((Bucket)pair.Bucket))
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"snapshot names unknown bucket {pair.Bucket}"));
                batch.Put((Bucket)pair.Bucket, pair.Key.Span, pair.Value.Span);
                bytes += pair.Key.Length + pair.Value.Length;
            }
            pairs += (ulong)chunk.Pairs.Count;
            if (chunk.Last)
            {
                if (chunk.TotalPairs != pairs)
                    throw new RpcException(new Status(StatusCode.DataLoss, $"snapshot carried {pairs} pairs, sender says {chunk.TotalPairs}"));
                // One synced commit makes every earlier one durable too.
                backend.Commit(batch, sync: true);
                return (pairs, bytes);
            }
            backend.Commit(batch);
        }
        throw new RpcException(new Status(StatusCode.DataLoss, "snapshot stream ended early"));
    }
}
