using Etcd.Api.Etcdserverpb;
using Etcd.Api.Membershippb;
using Etcd.Server.Logging;

namespace Etcd.Server.Core;

/// <summary>
/// Once a leader exists, publishes this member's name and client URLs through Raft (etcd's
/// "published local member to cluster through raft"), and as leader sets the cluster version.
/// It publishes only once its client URLs are bound, and serves clients after its publication is applied.
/// </summary>
public sealed class MemberPublisher(EtcdServer server)
{
    private int _published;

    public void OnLeaderChanged(ulong leader)
    {
        if (leader == 0) return;
        if (leader == server.MemberId && server.Members.ClusterVersion is null)
        {
            server.Logger.Info("setting up initial cluster version", LogField.Of("cluster-version", "3.5"));
            _ = Propose(new InternalRaftRequest { ClusterVersionSet = new ClusterVersionSetRequest { Ver = EtcdServer.ClusterVersion } });
        }
        if (Interlocked.Exchange(ref _published, 1) == 0) _ = PublishAsync();
    }

    private async Task PublishAsync()
    {
        await server.ClientsListening.Task.ConfigureAwait(false);
        var attributes = new Attributes { Name = server.Config.Name };
        attributes.ClientUrls.Add(server.Config.AdvertiseClientUrls.Select(u => u.OriginalString.TrimEnd('/')));
        var request = new InternalRaftRequest
        {
            ClusterMemberAttrSet = new ClusterMemberAttrSetRequest { MemberID = server.MemberId, MemberAttributes = attributes },
        };
        while (true)
        {
            try
            {
                await server.ProposeAsync(request, CancellationToken.None).ConfigureAwait(false);
                server.Logger.Info("published local member to cluster through raft", LogField.Id("local-member-id", server.MemberId),
                    LogField.Of("local-member-attributes", $"{{Name:{attributes.Name} ClientURLs:[{string.Join(" ", attributes.ClientUrls)}]}}"),
                    LogField.Id("cluster-id", server.ClusterId));
                server.ReadyToServe.TrySetResult();
                return;
            }
            catch (Api.EtcdException e)
            {
                if (e.Message == "etcdserver: server stopped") return;
                server.Logger.Warn("failed to publish local member to cluster through raft", LogField.Of("error", e.Message));
            }
        }
    }

    private async Task Propose(InternalRaftRequest request)
    {
        try
        {
            await server.ProposeAsync(request, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Api.EtcdException e)
        {
            server.Logger.Warn("failed to update cluster version", LogField.Of("error", e.Message));
        }
    }
}
