using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's Cluster service: the member list. Membership changes arrive with clustering.</summary>
public sealed class ClusterService(EtcdServer server) : Cluster.ClusterBase
{
    public override Task<MemberListResponse> MemberList(MemberListRequest request, ServerCallContext context)
    {
        var response = new MemberListResponse { Header = server.Header(server.Kv.CurrentRevision) };
        foreach (var member in server.Members.All)
        {
            var item = new Etcd.Api.Etcdserverpb.Member { ID = member.Id, Name = member.Name, IsLearner = member.IsLearner };
            item.PeerURLs.Add(member.PeerUrls);
            item.ClientURLs.Add(member.ClientUrls);
            response.Members.Add(item);
        }
        return Task.FromResult(response);
    }
}
