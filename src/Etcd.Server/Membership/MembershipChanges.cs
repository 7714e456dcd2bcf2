using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Etcd.Server.Peers.Protocol;
using Etcd.Server.Replication;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Membership;

/// <summary>
/// The Cluster API's changes (add, remove, update, promote): etcd's checks against the member
/// list, then a configuration change through Raft, answered once it is applied here.
/// </summary>
/// <param name="server">The server, which exists only after this is made (it is one of its parts).</param>
public sealed class MembershipChanges(Func<EtcdServer> server, PeerTransport transport)
{
    // etcd's limits: one learner at a time, promoted once it has 90% of the leader's log, and a
    // member counts as reachable once connected for this long.
    private const int MaxLearners = 1;
    private const double LearnerReadyFraction = 0.9;
    private static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(5);

    private ClusterMembers Members => server().Members;
    private RaftNode Raft => server().Raft;
    private ZapLogger Logger => server().Logger;
    private bool StrictReconfigCheck => server().Config.StrictReconfigCheck;
    private TimeSpan RequestTimeout => server().RequestTimeout;

    /// <summary>Adds a member (a learner when asked) with a new id; returns it as the API reports it.</summary>
    public async Task<Member> AddAsync(IReadOnlyList<string> peerUrls, bool isLearner, CancellationToken cancellationToken)
    {
        var urls = PeerUrlList.Parse(peerUrls) ?? throw EtcdErrors.MemberBadURLs;
        var member = new Member
        {
            Id = MemberIdentity.MemberId(urls, "", DateTimeOffset.UtcNow),
            Name = "",
            PeerUrls = urls,
            IsLearner = isLearner,
        };
        var all = Members.All;
        if (Members.IsRemoved(member.Id)) throw EtcdErrors.MemberNotFound;
        if (Members.Find(member.Id) is not null) throw EtcdErrors.MemberExist;
        if (all.Any(m => m.PeerUrls.Intersect(urls).Any())) throw EtcdErrors.PeerURLExist;
        if (isLearner && all.Count(m => m.IsLearner) + 1 > MaxLearners) throw EtcdErrors.TooManyLearners;
        if (StrictReconfigCheck)
        {
            if (!isLearner && !ReadyToAddVoter())
            {
                Logger.Warn("rejecting member add request; not enough healthy members", LogField.Id("local-member-id", transport.LocalId),
                    LogField.Of("error", EtcdErrors.MemberNotEnoughStarted.Message));
                throw EtcdErrors.MemberNotEnoughStarted;
            }
            // Learners too: etcd wants every voter reachable before any change.
            if (!ConnectedToAllVoters())
            {
                Logger.Warn("rejecting member add request; local member has not been connected to all peers, reconfigure breaks active quorum",
                    LogField.Id("local-member-id", transport.LocalId), LogField.Of("error", EtcdErrors.Unhealthy.Message));
                throw EtcdErrors.Unhealthy;
            }
        }
        var change = new ConfChange
        {
            Type = isLearner ? ConfChangeType.ConfChangeAddLearnerNode : ConfChangeType.ConfChangeAddNode,
            NodeId = member.Id,
            Context = ByteString.CopyFrom(MemberContext.From(member).ToJson()),
        };
        await ConfigureAsync(change, cancellationToken).ConfigureAwait(false);
        return member;
    }

    public async Task RemoveAsync(ulong id, CancellationToken cancellationToken)
    {
        if (Members.IsRemoved(id) || Members.Find(id) is not { } member) throw EtcdErrors.MemberNotFound;
        if (StrictReconfigCheck && !member.IsLearner) CheckRemoveKeepsQuorum(id);
        await ConfigureAsync(new ConfChange { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id }, cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateAsync(ulong id, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken)
    {
        var urls = PeerUrlList.Parse(peerUrls) ?? throw EtcdErrors.MemberBadURLs;
        if (Members.IsRemoved(id) || Members.Find(id) is not { } member) throw EtcdErrors.MemberNotFound;
        if (Members.All.Any(m => m.Id != id && m.PeerUrls.Intersect(urls).Any())) throw EtcdErrors.PeerURLExist;
        var change = new ConfChange
        {
            Type = ConfChangeType.ConfChangeUpdateNode,
            NodeId = id,
            Context = ByteString.CopyFrom(MemberContext.From(member.With(peerUrls: urls)).ToJson()),
        };
        await ConfigureAsync(change, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Promotes a learner. Only the leader can tell whether the learner has caught up, so a
    /// follower hands the request to the leader, as etcd does; the answer is the leader's member list.
    /// </summary>
    /// <param name="token">The client's token, handed to the leader, which checks it too (null without auth).</param>
    public async Task<IReadOnlyList<Member>> PromoteAsync(ulong id, string? token, CancellationToken cancellationToken)
    {
        if (Raft.IsLeader)
        {
            await PromoteAsLeaderAsync(id, cancellationToken).ConfigureAwait(false);
            return Members.All;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        while (true)
        {
            var leader = Raft.Leader;
            if (leader != 0 && Members.Find(leader) is { } leaderMember)
            {
                foreach (var url in leaderMember.PeerUrls)
                {
                    try
                    {
                        using var channel = transport.Channels.Open(url);
                        var headers = transport.HeadersFor(leader);
                        if (token is not null) headers.Add("token", token);
                        var response = await new RaftPeer.RaftPeerClient(channel)
                            .PromoteAsync(new PromoteRequest { Id = id }, headers, cancellationToken: deadline.Token).ResponseAsync.ConfigureAwait(false);
                        return [.. response.Members.Select(m => new Member
                        {
                            Id = m.Id, Name = m.Name, PeerUrls = [.. m.PeerUrls], ClientUrls = [.. m.ClientUrls], IsLearner = m.IsLearner,
                        })];
                    }
                    catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound
                        or StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.Unauthenticated)
                    {
                        // The leader's verdict (not ready, not a learner, not found, not root): final.
                        throw new RpcException(e.Status, e.Message);
                    }
                    catch (Exception) when (!deadline.IsCancellationRequested)
                    {
                        // Leader unreachable at this URL: try the next, then wait for a leader again.
                    }
                }
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (cancellationToken.IsCancellationRequested) throw EtcdErrors.Canceled;
                throw EtcdErrors.Timeout;
            }
        }
    }

    /// <summary>The leader's part of a promotion (called directly, or for a follower through the peer API).</summary>
    public async Task PromoteAsLeaderAsync(ulong id, CancellationToken cancellationToken)
    {
        if (!Raft.IsLeader) throw EtcdErrors.NotLeader;
        var status = await Raft.StatusAsync().ConfigureAwait(false);
        if (status.Progress.TryGetValue(id, out var learner) && status.Progress.TryGetValue(status.Id, out var leader)
            && learner.Match < leader.Match * LearnerReadyFraction)
            throw EtcdErrors.LearnerNotReady;
        if (Members.IsRemoved(id) || Members.Find(id) is not { } member) throw EtcdErrors.MemberNotFound;
        if (!member.IsLearner) throw EtcdErrors.MemberNotLearner;
        if (StrictReconfigCheck && !ReadyToPromote())
        {
            Logger.Warn("rejecting member promote request; not enough healthy members", LogField.Id("local-member-id", transport.LocalId),
                LogField.Id("requested-member-remove-id", id), LogField.Of("error", EtcdErrors.MemberNotEnoughStarted.Message));
            throw EtcdErrors.MemberNotEnoughStarted;
        }
        var context = new MemberContext { Id = id, IsPromote = true };
        var change = new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = id, Context = ByteString.CopyFrom(context.ToJson()) };
        await ConfigureAsync(change, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Proposes the change and waits until this member has applied it (etcd's configure()).</summary>
    private async Task ConfigureAsync(ConfChange change, CancellationToken cancellationToken)
    {
        var waiters = server().Waiters;
        change.Id = server().NextRequestId();
        var waiter = waiters.Register(change.Id);
        Raft.ProposeConfChange(change, error => waiters.Cancel(change.Id, error == RaftError.ProposalDropped && Raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Stopped));
        ApplyResult result;
        try
        {
            result = await waiter.WaitAsync(RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            waiters.Cancel(change.Id);
            throw Raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            waiters.Cancel(change.Id);
            throw EtcdErrors.Canceled;
        }
        if (result.Error is not null) throw result.Error;
        Logger.Info("applied a configuration change through raft", LogField.Id("local-member-id", transport.LocalId),
            LogField.Of("raft-conf-change", change.Type.ToString()), LogField.Id("raft-conf-change-node-id", change.NodeId));
    }

    // A member has started once it published its name (etcd's IsStarted).
    private static bool Started(Member member) => member.Name.Length > 0;

    private IEnumerable<Member> Voters => Members.All.Where(m => !m.IsLearner);

    /// <summary>etcd's IsReadyToAddVotingMember: the started voters stay a quorum of the grown cluster.</summary>
    private bool ReadyToAddVoter()
    {
        var voters = Voters.ToList();
        var total = voters.Count + 1;
        var started = voters.Count(Started);
        // Adding a second member to a one-member cluster (restoring a cluster) is always allowed.
        if (started == 1 && total == 2) return true;
        return started >= total / 2 + 1;
    }

    private bool ReadyToPromote()
    {
        var voters = Voters.ToList();
        var total = voters.Count + 1;
        var started = voters.Count(Started) + 1;
        return started >= total / 2 + 1;
    }

    private bool ConnectedToAllVoters() =>
        Voters.All(m => m.Id == transport.LocalId || transport.IsActiveFor(m.Id, HealthInterval));

    /// <summary>etcd's mayRemoveMember: the remaining started voters keep a quorum, and so do the connected ones.</summary>
    private void CheckRemoveKeepsQuorum(ulong id)
    {
        var remaining = Voters.Where(m => m.Id != id).ToList();
        if (remaining.Count(Started) < remaining.Count / 2 + 1)
        {
            Logger.Warn("rejecting member remove request; not enough healthy members", LogField.Id("local-member-id", transport.LocalId),
                LogField.Id("requested-member-remove-id", id), LogField.Of("error", EtcdErrors.MemberNotEnoughStarted.Message));
            throw EtcdErrors.MemberNotEnoughStarted;
        }
        // A member that is down is not part of the active quorum: removing it is safe.
        if (id != transport.LocalId && !transport.IsActive(id)) return;
        var voters = Voters.ToList();
        var active = voters.Count(m => m.Id == transport.LocalId || transport.IsActiveFor(m.Id, HealthInterval));
        if (active - 1 < 1 + (voters.Count - 1) / 2)
        {
            Logger.Warn("rejecting member remove request; local member has not been connected to all peers, reconfigure breaks active quorum",
                LogField.Id("local-member-id", transport.LocalId), LogField.Id("requested-member-remove", id), LogField.Of("active-peers", (long)active),
                LogField.Of("error", EtcdErrors.Unhealthy.Message));
            throw EtcdErrors.Unhealthy;
        }
    }
}
