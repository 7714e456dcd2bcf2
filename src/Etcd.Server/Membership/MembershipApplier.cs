using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Logging;

namespace Etcd.Server.Membership;

/// <summary>
/// Applies a committed configuration change: to Raft, to the member list and to the backend.
/// <para>
/// Whether a change takes effect is decided from the voters and learners alone (adding a member
/// the configuration already has, removing one it does not have or the last voter, promoting a
/// non-learner). Those sets are tracked here from the log (the snapshot's configuration, then every
/// change that took effect), so a restart that replays the log decides every change again exactly
/// as before, and so does every member. A rejected change is applied to Raft as a no-op (node id
/// 0), as etcd does. The checks that need the member list (peer URL in use, too many learners) are made when
/// the change is proposed (<see cref="MembershipChanges"/>).
/// </para>
/// </summary>
public sealed class MembershipApplier(ClusterMembers members, ZapLogger logger, ulong localId)
{
    private static readonly EmptyResponse Applied = new();
    private readonly HashSet<ulong> _voters = [];
    private readonly HashSet<ulong> _learners = [];

    /// <summary>Starts from a snapshot's configuration (at start-up, or when a snapshot is installed).</summary>
    public void Reset(ConfState state)
    {
        _voters.Clear();
        _learners.Clear();
        _voters.UnionWith(state.Voters);
        _voters.UnionWith(state.VotersOutgoing);
        _learners.UnionWith(state.Learners);
        _learners.UnionWith(state.LearnersNext);
    }

    /// <summary>Raised on the apply loop when this member's own removal was applied.</summary>
    public event Action? LocalMemberRemoved;

    /// <summary>The member list as etcd 3.4 mirrors it in the v2 store (written with each change).</summary>
    public V2.Apply.V2MemberRecords? V2Records { get; init; }

    /// <summary>
    /// Applies <paramref name="change"/> and returns Raft's new configuration and what the proposer
    /// is told. When the backend already has the entry (a restart replays it) only Raft is told:
    /// the member list was loaded from the backend with the change in it.
    /// </summary>
    public (ConfState State, ApplyResult Result) Apply(ApplyBatch batch, ConfChange change, RawNode node, bool backendHasIt)
    {
        var context = MemberContext.FromJson(change.Context.Span);
        var refusal = Refusal(change, context);
        if (refusal is not null) change.NodeId = 0;
        var state = node.ApplyConfChange(change);
        if (refusal is not null) return (state, ApplyResult.Failed(refusal));
        Track(change);
        if (!backendHasIt) ApplyToMembers(batch, change, context);
        return (state, ApplyResult.Of(Applied));
    }

    private void Track(ConfChange change)
    {
        var id = change.NodeId;
        switch (change.Type)
        {
            case ConfChangeType.ConfChangeAddNode:
                _learners.Remove(id);
                _voters.Add(id);
                break;
            case ConfChangeType.ConfChangeAddLearnerNode:
                _learners.Add(id);
                break;
            case ConfChangeType.ConfChangeRemoveNode:
                _voters.Remove(id);
                _learners.Remove(id);
                break;
        }
    }

    private EtcdException? Refusal(ConfChange change, MemberContext? context)
    {
        var id = change.NodeId;
        var isVoter = _voters.Contains(id);
        var isLearner = _learners.Contains(id);
        switch (change.Type)
        {
            case ConfChangeType.ConfChangeAddNode when context?.IsPromote == true:
                if (isVoter) return EtcdErrors.MemberNotLearner;
                if (!isLearner) return EtcdErrors.MemberNotFound;
                return null;
            case ConfChangeType.ConfChangeAddNode:
            case ConfChangeType.ConfChangeAddLearnerNode:
                return isVoter || isLearner ? EtcdErrors.MemberExist : null;
            case ConfChangeType.ConfChangeRemoveNode:
                if (!isVoter && !isLearner) return EtcdErrors.MemberNotFound;
                // Raft cannot run without a voter; etcd's quorum checks refuse this too.
                if (isVoter && _voters.Count == 1) return EtcdErrors.MemberNotEnoughStarted;
                return null;
            case ConfChangeType.ConfChangeUpdateNode:
                return isVoter || isLearner ? null : EtcdErrors.MemberNotFound;
            default:
                return null;
        }
    }

    private void ApplyToMembers(ApplyBatch batch, ConfChange change, MemberContext? context)
    {
        var id = change.NodeId;
        switch (change.Type)
        {
            case ConfChangeType.ConfChangeAddNode when context?.IsPromote == true:
                members.Promote(id);
                if (members.Find(id) is { } promoted)
                {
                    MemberBuckets.Save(batch, promoted);
                    V2Records?.RaftAttributesChanged(promoted);
                }
                logger.Info("promote member", LogField.Id("cluster-id", members.ClusterId), LogField.Id("local-member-id", localId));
                break;
            case ConfChangeType.ConfChangeAddNode:
            case ConfChangeType.ConfChangeAddLearnerNode:
                var member = (context?.ToMember() ?? new Member { Id = id, Name = "", PeerUrls = [] })
                    .With(isLearner: change.Type == ConfChangeType.ConfChangeAddLearnerNode);
                members.Add(member);
                MemberBuckets.Save(batch, member);
                V2Records?.Added(member);
                logger.Info("added member", LogField.Id("cluster-id", members.ClusterId), LogField.Id("local-member-id", localId),
                    LogField.Id("added-peer-id", id), LogField.Of("added-peer-peer-urls", member.PeerUrls));
                break;
            case ConfChangeType.ConfChangeRemoveNode:
                var removed = members.Find(id);
                members.Remove(id);
                MemberBuckets.SaveRemoved(batch, id);
                V2Records?.Removed(id);
                logger.Info("removed member", LogField.Id("cluster-id", members.ClusterId), LogField.Id("local-member-id", localId),
                    LogField.Id("removed-remote-peer-id", id), LogField.Of("removed-remote-peer-urls", removed?.PeerUrls ?? []));
                if (id == localId) LocalMemberRemoved?.Invoke();
                break;
            case ConfChangeType.ConfChangeUpdateNode:
                members.SetPeerUrls(id, context?.PeerUrls ?? []);
                if (members.Find(id) is { } updated)
                {
                    MemberBuckets.Save(batch, updated);
                    V2Records?.RaftAttributesChanged(updated);
                }
                logger.Info("updated member", LogField.Id("cluster-id", members.ClusterId), LogField.Id("local-member-id", localId),
                    LogField.Id("updated-remote-peer-id", id), LogField.Of("updated-remote-peer-urls", context?.PeerUrls ?? []));
                break;
        }
    }
}
