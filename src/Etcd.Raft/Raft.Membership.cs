using Etcd.Raft.Membership;
using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;

namespace Etcd.Raft;

/// <summary>Applying configuration changes and switching to the resulting membership.</summary>
internal sealed partial class Raft
{
    /// <summary>
    /// Applies a committed configuration change (the application calls this when it applies the
    /// entry). Throws if the change is invalid for the current configuration; the leader refuses
    /// most such changes at proposal time, so this means the application proposed nonsense.
    /// </summary>
    public ConfState ApplyConfChange(ConfChangeV2 cc)
    {
        var changer = new ConfChanger(Tracker.Config, Tracker.Progress, Tracker.MaxInflight, Log.LastIndex);
        ConfChangeResult result;
        if (cc.LeavesJoint())
        {
            result = changer.LeaveJoint();
        }
        else if (cc.EntersJoint(out bool autoLeave))
        {
            result = changer.EnterJoint(autoLeave, cc.Changes);
        }
        else
        {
            result = changer.Simple(cc.Changes);
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"raft: invalid configuration change: {result.Error}");
        }

        return SwitchToConfig(result.Config, result.Progress);
    }

    /// <summary>
    /// Makes <paramref name="config"/> the membership in effect and reacts to it: a removed leader
    /// stops leading decisions, a smaller quorum may commit more, new members get probed at once.
    /// </summary>
    private ConfState SwitchToConfig(MembershipConfig config, Dictionary<ulong, Progress> progress)
    {
        Tracker.Switch(config, progress);
        _logger?.Info($"{Id:x} switched to configuration {Tracker.Config}");
        var cs = Tracker.ConfState();
        var self = Tracker.Get(Id);

        // A removed node is not a learner; "learner" only describes members.
        IsLearner = self is { IsLearner: true };

        if ((self is null || IsLearner) && State == RaftState.Leader)
        {
            // This leader was removed (or demoted). It refuses proposals and reads from now on and
            // hands leadership to the most caught-up voter. Simply stepping down is not enough: a
            // voter that has not yet learned the change is committed may still count this node (or
            // another demoted one) as a voter and be unable to win an election on its own.
            HandOffLeadership();
            return cs;
        }

        // The rest only matters to a leader that has peers.
        if (State != RaftState.Leader || cs.Voters.Count == 0)
        {
            return cs;
        }

        if (MaybeCommit())
        {
            // The new quorum commits more: tell everyone.
            BroadcastAppend();
        }
        else
        {
            // Probe newly added members right away rather than at the next heartbeat or proposal.
            var ids = Tracker.SortedIds;
            var all = Tracker.SortedProgress;
            for (int i = 0; i < ids.Length; i++)
            {
                if (ids[i] != Id)
                {
                    MaybeSendAppend(ids[i], all[i], sendIfEmpty: false);
                }
            }
        }

        // A transfer to a node that just left cannot complete.
        if (LeadTransferee != 0 && Tracker.Get(LeadTransferee) is null)
        {
            AbortLeaderTransfer();
        }

        return cs;
    }

    /// <summary>
    /// A leader that is no longer a voter transfers leadership to the voter with the highest Match
    /// (ties: lowest id), which is caught up first. Retried every election timeout until it succeeds.
    /// </summary>
    private void HandOffLeadership()
    {
        ulong best = 0;
        ulong bestMatch = 0;
        foreach (ulong id in Tracker.Config.Voters.All)
        {
            var pr = Tracker.Get(id);
            if (id != Id && pr is not null && (best == 0 || pr.Match > bestMatch))
            {
                best = id;
                bestMatch = pr.Match;
            }
        }

        if (best == 0 || LeadTransferee == best)
        {
            return;
        }

        _logger?.Info($"{Id:x} is no longer a voter; handing leadership to {best:x}");
        HandleTransferLeader(new Message { Type = MessageType.MsgTransferLeader, From = best }, Tracker.Get(best)!);
    }
}
