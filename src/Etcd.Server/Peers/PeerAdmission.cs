using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// The checks at the start of every peer call, with etcd's log lines: the caller belongs to this
/// cluster, was not removed from it, and means this member. A caller we did not know of yet is
/// remembered (with the URLs it announced) so that replies reach it.
/// </summary>
public sealed class PeerAdmission(ulong localId, ClusterMembers members, PeerTransport transport, ZapLogger logger)
{
    /// <summary>The checks each message on an admitted stream passes before Raft sees it.</summary>
    public PeerMessageCheck Messages { get; } = new(localId, members);

    /// <summary>Logs the first message of a stream that was dropped (one line per stream, not per message).</summary>
    public void Dropped(ulong sender, Raft.Raftpb.Message message, string reason) =>
        logger.Warn("dropped Raft message from peer", LogField.Id("local-member-id", localId), LogField.Id("remote-peer-id", sender),
            LogField.Of("message-type", message.Type.ToString()), LogField.Id("message-from", message.From), LogField.Of("reason", reason));

    /// <summary>Returns the caller's member id, or throws the refusal the caller will see.</summary>
    public ulong Admit(ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        var from = PeerHeaders.ParseId(PeerHeaders.Get(headers, PeerHeaders.From));
        var clusterId = PeerHeaders.Hex(members.ClusterId);
        var remoteCluster = PeerHeaders.Get(headers, PeerHeaders.ClusterId);
        if (remoteCluster != clusterId)
        {
            logger.Warn("request cluster ID mismatch", LogField.Id("local-member-id", localId), LogField.Of("local-member-cluster-id", clusterId),
                LogField.Of("local-member-server-version", Core.EtcdServer.Version),
                LogField.Of("remote-peer-server-version", PeerHeaders.Get(headers, PeerHeaders.ServerVersion)),
                LogField.Of("remote-peer-cluster-id", remoteCluster));
            throw PeerRejection.Rejected(StatusCode.FailedPrecondition, PeerRejection.ClusterIdMismatch, new Metadata { { PeerHeaders.ClusterId, clusterId } });
        }
        if (members.IsRemoved(from))
        {
            logger.Warn("rejected stream from remote peer because it was removed", LogField.Id("local-member-id", localId),
                LogField.Id("remote-peer-id-stream-handler", localId), LogField.Id("remote-peer-id-from", from));
            throw PeerRejection.Rejected(StatusCode.PermissionDenied, PeerRejection.RemovedMember);
        }
        var to = PeerHeaders.Get(headers, PeerHeaders.To);
        if (to != PeerHeaders.Hex(localId))
        {
            logger.Warn("ignored streaming request; ID mismatch", LogField.Id("local-member-id", localId),
                LogField.Id("remote-peer-id-stream-handler", localId), LogField.Of("remote-peer-id-header", to),
                LogField.Id("remote-peer-id-from", from), LogField.Of("cluster-id", clusterId));
            throw PeerRejection.Rejected(StatusCode.FailedPrecondition, PeerRejection.ToFieldMismatch);
        }
        if (members.Find(from) is null && PeerHeaders.Get(headers, PeerHeaders.PeerUrls) is { Length: > 0 } urls)
            transport.AddRemote(from, urls.Split(','));
        return from;
    }
}
