using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;
using Grpc.Core;
using ApiMember = Etcd.Api.Etcdserverpb.Member;

namespace Etcd.Server.Services;

/// <summary>
/// etcd's Cluster service: the member list and membership changes. Changes go through Raft and
/// answer with the member list as this member has it once the change is applied. Headers carry no
/// revision, as etcd's do not.
/// </summary>
public sealed class ClusterService(EtcdServer server) : Cluster.ClusterBase
{
    public override async Task<MemberListResponse> MemberList(MemberListRequest request, ServerCallContext context)
    {
        if (request.Linearizable) await server.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
        var response = new MemberListResponse { Header = Header() };
        response.Members.Add(Members(server.Members.All));
        return response;
    }

    public override async Task<MemberAddResponse> MemberAdd(MemberAddRequest request, ServerCallContext context)
    {
        await server.Callers.RequireAdminAsync(context).ConfigureAwait(false);
        var added = await server.MembershipChanges.AddAsync([.. request.PeerURLs], request.IsLearner, context.CancellationToken).ConfigureAwait(false);
        var member = new ApiMember { ID = added.Id, IsLearner = added.IsLearner };
        member.PeerURLs.Add(added.PeerUrls);
        var response = new MemberAddResponse { Header = Header(), Member = member };
        response.Members.Add(Members(server.Members.All));
        return response;
    }

    public override async Task<MemberRemoveResponse> MemberRemove(MemberRemoveRequest request, ServerCallContext context)
    {
        await server.Callers.RequireAdminAsync(context).ConfigureAwait(false);
        await server.MembershipChanges.RemoveAsync(request.ID, context.CancellationToken).ConfigureAwait(false);
        var response = new MemberRemoveResponse { Header = Header() };
        response.Members.Add(Members(server.Members.All));
        return response;
    }

    public override async Task<MemberUpdateResponse> MemberUpdate(MemberUpdateRequest request, ServerCallContext context)
    {
        await server.Callers.RequireAdminAsync(context).ConfigureAwait(false);
        await server.MembershipChanges.UpdateAsync(request.ID, [.. request.PeerURLs], context.CancellationToken).ConfigureAwait(false);
        var response = new MemberUpdateResponse { Header = Header() };
        response.Members.Add(Members(server.Members.All));
        return response;
    }

    public override async Task<MemberPromoteResponse> MemberPromote(MemberPromoteRequest request, ServerCallContext context)
    {
        await server.Callers.RequireAdminAsync(context).ConfigureAwait(false);
        var members = await server.MembershipChanges.PromoteAsync(request.ID,
            server.Auth.Enabled ? context.RequestHeaders.GetValue("token") ?? context.RequestHeaders.GetValue("authorization") : null, context.CancellationToken).ConfigureAwait(false);
        var response = new MemberPromoteResponse { Header = Header() };
        response.Members.Add(Members(members));
        return response;
    }

    private ResponseHeader Header() => new() { ClusterId = server.ClusterId, MemberId = server.MemberId, RaftTerm = server.Raft.Term };

    // etcd lists members in id order.
    private static IEnumerable<ApiMember> Members(IReadOnlyList<Membership.Member> members) =>
        members.OrderBy(m => m.Id).Select(m =>
        {
            var item = new ApiMember { ID = m.Id, Name = m.Name, IsLearner = m.IsLearner };
            item.PeerURLs.Add(m.PeerUrls);
            item.ClientURLs.Add(m.ClientUrls);
            return item;
        });
}
