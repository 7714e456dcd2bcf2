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
        var check = endpoint.Admission.Messages;
        var loggedDrop = false;
        var receivedLabel = Metrics.EtcdMetrics.PeerLabel("From", from);
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                // A member removed while its stream was open is turned away now; it learns from
                // the refusal that it must stop (Raft no longer tells it anything).
                if (members.IsRemoved(from)) throw PeerRejection.Rejected(StatusCode.PermissionDenied, PeerRejection.RemovedMember);
                foreach (var message in requestStream.Current.Messages)
                {
                    if (check.Refusal(message, from) is { } refused)
                    {
                        if (!loggedDrop) endpoint.Admission.Dropped(from, message, refused);
                        loggedDrop = true;
                        continue;
                    }
                    raft.Step(message);
                }
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
        var message = await endpoint.Snapshots.ReceiveAsync(requestStream, from, endpoint.Admission.Messages, context.CancellationToken).ConfigureAwait(false);
        endpoint.Raft.Step(message);
        return new SnapshotReceived();
    }

    public override async Task<MembersResponse> Promote(PromoteRequest request, ServerCallContext context)
    {
        endpoint.Admission.Admit(context);
        var changes = endpoint.MembershipChanges ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcdserver: server stopped"));
        // The follower checked its client, but a forged call could come from anyone: with auth on,
        // the client's token travels along and must name a root user here too.
        var callers = endpoint.Callers ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcdserver: server stopped"));
        await callers.RequireAdminAsync(context).ConfigureAwait(false);
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

    public override Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context)
    {
        endpoint.Admission.Admit(context);
        var authenticate = endpoint.Authenticate ?? throw new RpcException(new Status(StatusCode.Unavailable, "etcdserver: server stopped"));
        return authenticate.AuthenticateForFollowerAsync(request, context.CancellationToken);
    }

    public override Task<HashKVResponse> HashKV(HashKVRequest request, ServerCallContext context)
    {
        endpoint.Admission.Admit(context);
        Mvcc.KvHash hash;
        try
        {
            hash = endpoint.Kv.HashKV(request.Revision);
        }
        catch (Mvcc.MvccException e)
        {
            throw State.MvccErrors.ToEtcd(e);
        }
        var header = new ResponseHeader { ClusterId = endpoint.Members.ClusterId, MemberId = endpoint.Raft.MemberId, Revision = hash.CurrentRevision, RaftTerm = endpoint.Raft.Term };
        return Task.FromResult(new HashKVResponse { Header = header, Hash = hash.Hash, CompactRevision = hash.CompactRevision });
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
