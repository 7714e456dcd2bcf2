using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Peers.Protocol;

namespace Etcd.Server.Peers;

/// <summary>A running cluster's member list as one of its members tells it (for --initial-cluster-state=existing).</summary>
public sealed record RemoteCluster(ulong ClusterId, IReadOnlyList<Member> Members)
{
    // etcd's per-URL timeout when it asks peers for the cluster.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Asks each URL in turn; the first answer wins. Throws with etcd's text when none answers.</summary>
    public static async Task<RemoteCluster> FetchAsync(IEnumerable<string> peerUrls, PeerChannels channels, ZapLogger logger)
    {
        foreach (var url in peerUrls)
        {
            try
            {
                using var channel = channels.Open(url);
                var response = await new RaftPeer.RaftPeerClient(channel)
                    .MembersAsync(new MembersRequest(), deadline: DateTime.UtcNow + RequestTimeout).ResponseAsync.ConfigureAwait(false);
                var members = response.Members.Select(m => new Member
                {
                    Id = m.Id,
                    Name = m.Name,
                    PeerUrls = [.. m.PeerUrls],
                    ClientUrls = [.. m.ClientUrls],
                    IsLearner = m.IsLearner,
                }).ToList();
                return new RemoteCluster(response.ClusterId, members);
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or HttpRequestException or IOException)
            {
                logger.Warn("failed to get cluster response", LogField.Of("address", url),
                    LogField.Of("error", e is Grpc.Core.RpcException rpc ? rpc.Status.Detail : e.Message));
            }
        }
        throw new Core.BootstrapException("cannot fetch cluster info from peer urls: could not retrieve cluster information from the given URLs");
    }
}
