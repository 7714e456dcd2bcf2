using Etcd.Api.Etcdserverpb;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Peers;
using Etcd.Server.Peers.Protocol;
using Grpc.Core;

namespace Etcd.Server.Corruption;

/// <summary>
/// Asks every other member for its KV hash at a revision, over the peer API (with the peer TLS and
/// the cluster id check every peer call has), as etcd asks its peers' /members/hashkv. A member
/// that cannot answer on any of its peer URLs is an answer with an error, logged once per URL.
/// </summary>
public sealed class PeerHashes(PeerTransport transport, ClusterMembers members, TimeSpan timeout, ZapLogger logger)
{
    public async Task<List<PeerHash>> AskAllAsync(long revision, CancellationToken cancellationToken)
    {
        var answers = new List<PeerHash>();
        foreach (var member in members.All)
        {
            if (member.Id == transport.LocalId || member.PeerUrls.Count == 0) continue;
            answers.Add(await AskAsync(member, revision, cancellationToken).ConfigureAwait(false));
        }
        return answers;
    }

    private async Task<PeerHash> AskAsync(Membership.Member member, long revision, CancellationToken cancellationToken)
    {
        string error = "no peer URL";
        foreach (var url in member.PeerUrls)
        {
            try
            {
                using var channel = transport.Channels.Open(url);
                var client = new RaftPeer.RaftPeerClient(channel);
                var options = new CallOptions(transport.HeadersFor(member.Id), DateTime.UtcNow + timeout, cancellationToken);
                var response = await client.HashKVAsync(new HashKVRequest { Revision = revision }, options).ResponseAsync.ConfigureAwait(false);
                return new PeerHash(member.Id, response.Hash, response.CompactRevision, response.Header?.Revision ?? 0, null);
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or InvalidOperationException or UriFormatException)
            {
                error = e is RpcException rpc ? rpc.Status.Detail : e.Message;
                logger.Warn("failed hash kv request", LogField.Of("local-member-id", $"{transport.LocalId:x}"), LogField.Of("requested-revision", revision),
                    LogField.Of("remote-peer-endpoint", url), LogField.Of("error", error));
            }
        }
        return new PeerHash(member.Id, 0, 0, 0, error);
    }
}
