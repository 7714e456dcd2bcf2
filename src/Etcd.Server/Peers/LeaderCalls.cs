using System.Collections.Concurrent;
using Etcd.Server.Api;
using Etcd.Server.Membership;
using Etcd.Server.Peers.Protocol;
using Etcd.Server.Replication;
using Grpc.Core;
using Grpc.Net.Client;

namespace Etcd.Server.Peers;

/// <summary>
/// Requests a follower hands to the leader over the peer API, with etcd's persistence: while the
/// request timeout lasts, wait for a leader, try each of its peer URLs, pause 50 ms, try again.
/// Channels stay open per URL, since a client's keep-alives arrive every few seconds.
/// </summary>
public sealed class LeaderCalls(PeerTransport transport, ClusterMembers members, RaftNode raft, TimeSpan requestTimeout) : IDisposable
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new();

    /// <summary>
    /// Runs <paramref name="call"/> against the leader until it answers; null once this member is
    /// the leader (the caller answers itself). Fails with etcd's "no leader" or "request timed
    /// out" when the time is up, or with the caller's cancellation.
    /// </summary>
    public async Task<T?> CallAsync<T>(Func<RaftPeer.RaftPeerClient, CallOptions, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(requestTimeout);
        try
        {
            while (true)
            {
                var leader = raft.Leader;
                if (leader == transport.LocalId) return null;
                if (leader != 0 && members.Find(leader) is { } member)
                {
                    foreach (var url in member.PeerUrls)
                    {
                        try
                        {
                            var client = new RaftPeer.RaftPeerClient(ChannelTo(url));
                            return await call(client, new CallOptions(transport.HeadersFor(leader), cancellationToken: deadline.Token)).ConfigureAwait(false);
                        }
                        catch (Exception) when (!deadline.IsCancellationRequested)
                        {
                            // Unreachable, or no longer the leader: the next URL, then a new leader.
                        }
                    }
                }
                await Task.Delay(RetryPause, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            throw raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        }
    }

    private GrpcChannel ChannelTo(string url) => _channels.GetOrAdd(url, transport.Channels.Open);

    public void Dispose()
    {
        foreach (var channel in _channels.Values) channel.Dispose();
        _channels.Clear();
    }
}
