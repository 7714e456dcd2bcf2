using Etcd.Raft;
using Etcd.Server.Configuration;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Google.Protobuf;

namespace Etcd.Server.Membership;

/// <summary>
/// Who a member with an empty data dir is and which cluster it belongs to, from --initial-cluster:
/// for a new cluster every member derives the same ids from the flags alone and bootstraps Raft
/// with all of them; a member joining a running cluster (--initial-cluster-state=existing) asks the
/// other members for the cluster instead and takes the id it was given by MemberAdd.
/// </summary>
/// <param name="BootstrapPeers">The members Raft starts with (new cluster); null when joining.</param>
/// <param name="RunningMembers">The members of the running cluster (when joining), so the transport can reach them before the log names them.</param>
public sealed record FirstStart(ulong MemberId, ulong ClusterId, IReadOnlyList<Peer>? BootstrapPeers, IReadOnlyList<Member> RunningMembers)
{
    public static async Task<FirstStart> PlanAsync(EtcdConfig config, PeerChannels channels, ZapLogger logger)
    {
        var listed = InitialCluster.Parse(config.InitialCluster, config.InitialClusterToken);
        if (config.InitialClusterState == "existing")
        {
            var self = InitialClusterCheck.ForJoin(config, listed);
            var others = listed.Where(m => m.Name != self.Name).SelectMany(m => m.PeerUrls);
            var running = await RemoteCluster.FetchAsync(others, channels, logger).ConfigureAwait(false);
            var memberId = InitialClusterCheck.AssignLocalId(listed, self.Name, running.ClusterId, running.Members);
            logger.Info("joining an existing cluster", LogField.Id("local-member-id", memberId), LogField.Id("cluster-id", running.ClusterId));
            return new FirstStart(memberId, running.ClusterId, null, running.Members);
        }
        var local = InitialClusterCheck.ForNewCluster(config, listed);
        var clusterId = MemberIdentity.ClusterId(listed.Select(m => m.Id));
        var peers = listed.Select(m => new Peer(m.Id, ByteString.CopyFrom(MemberContext.From(m).ToJson()))).ToList();
        logger.Info("starting local member", LogField.Id("local-member-id", local.Id), LogField.Id("cluster-id", clusterId));
        return new FirstStart(local.Id, clusterId, peers, []);
    }
}
