using Etcd.Api.Etcdserverpb;
using Etcd.Server.Peers.Protocol;
using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>The peer API other members call (peer.proto): Raft messages in, snapshots in, member list out.</summary>
public sealed class RaftPeerService(PeerEndpoint endpoint) : RaftPeer.RaftPeerBase
{
    private static readonly StreamClosed Closed = new();

    public override async Task<StreamClosed> Stream(IAsyncStreamReader<MessageBatch> requestStream, ServerCallContext context)
    {
        var from = endpoint.Admission.Admit(context);
        // Headers tell the caller it was accepted; it counts the member active from then on.
        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        var raft = endpoint.Raft;
        var members = endpoint.Members;
        var receivedLabel = Metrics.EtcdMetrics.PeerLabel("From", from);
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                // A member removed while its stream was open is turned away now; it learns from
                // the refusal that it must stop (Raft no longer tells it anything).
                if (members.IsRemoved(from)) throw PeerRejection.Rejected(StatusCode.PermissionDenied, PeerRejection.RemovedMember);
                foreach (var message in requestStream.Current.Messages) raft.Step(message);
                Metrics.EtcdMetrics.PeerReceivedBytes.Add(receivedLabel, requestStream.Current.CalculateSize());
            }
        }
        catch (IOException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller went away; it reconnects when it has something to say.
        }
        return Closed;
    }

    public override async Task<SnapshotReceived> Snapshot(IAsyncStreamReader<SnapshotChunk> requestStream, ServerCallContext context)
    {
        var from = endpoint.Admission.Admit(context);
        var message = await endpoint.Snapshots.ReceiveAsync(requestStream, from, context.CancellationToken).ConfigureAwait(false);
        endpoint.Raft.Step(message);
        return new SnapshotReceived();
    }

    public override async Task<MembersResponse> Promote(PromoteRequest request, ServerCallContext context)
    {
        endpoint.Admission.Admit(context);
        var changes = endpoint.MembershipChanges ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcdserver: server stopped"));
        await changes.PromoteAsLeaderAsync(request.Id, context.CancellationToken).ConfigureAwait(false);
        return ListMembers();
    }

    public override async Task<LeaseKeepAliveResponse> LeaseRenew(LeaseKeepAliveRequest request, ServerCallContext context)
    {
        endpoint.Admission.Admit(context);
        var leases = endpoint.Leases ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcdserver: server stopped"));
        var ttl = await leases.RenewForFollowerAsync(request.ID, context.CancellationToken).ConfigureAwait(false);
        return new LeaseKeepAliveResponse { ID = request.ID, TTL = ttl };
    }

    public override Task<LeaseTimeToLiveResponse> LeaseTimeToLive(LeaseTimeToLiveRequest request, ServerCallContext context)
    {
        endpoint.Admission.Admit(context);
        var leases = endpoint.Leases ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcdserver: server stopped"));
        return Task.FromResult(leases.TimeToLiveForFollower(request));
    }

    public override Task<MembersResponse> Members(MembersRequest request, ServerCallContext context) => Task.FromResult(ListMembers());

    private MembersResponse ListMembers()
    {
        var members = endpoint.Members;
        var response = new MembersResponse { ClusterId = members.ClusterId };
        foreach (var member in members.All)
        {
            var item = new PeerMember { Id = member.Id, Name = member.Name, IsLearner = member.IsLearner };
            item.PeerUrls.Add(member.PeerUrls);
            item.ClientUrls.Add(member.ClientUrls);
            response.Members.Add(item);
        }
        return response;
    }
}
