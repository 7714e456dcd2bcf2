using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Membership;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Membership changes as an operator makes them with etcdctl, one at a time: a learner is added
/// (MemberAdd --learner) and its process started to join the running cluster, promoted once it
/// has caught up as MembershipChanges requires, and later removed, as a voter or still a learner.
/// The original members stay, so the cluster keeps its quorum; each new member gets a fresh id
/// (etcd never reuses one). A removed member's process stops, as the server stops itself.
/// </summary>
internal sealed class SimMembership(ClusterSim sim)
{
    private ulong _nextId = 10;
    private ulong _joiner;
    private Phase _phase;
    private bool _inFlight;

    private enum Phase { None, Learner, Voter }

    public long Added { get; private set; }

    /// <summary>Proposes the next change through <paramref name="proposer"/>, if none is in flight.</summary>
    public void Next(SimMember proposer)
    {
        if (_inFlight) return;
        switch (_phase)
        {
            case Phase.None:
                var id = _nextId++;
                _joiner = id;
                Propose(proposer, ConfChangeType.ConfChangeAddLearnerNode, id, new MemberContext { Id = id, Name = "", PeerUrls = [$"http://10.0.2.{id}:2380"], IsLearner = true });
                break;
            case Phase.Learner when sim.Random.Next(3) == 0:
                Propose(proposer, ConfChangeType.ConfChangeRemoveNode, _joiner, null);
                break;
            case Phase.Learner:
                // MembershipChanges.PromoteAsLeaderAsync: only a learner that has nearly caught up.
                if (proposer.Leader != proposer.Id || !proposer.Status.Progress.TryGetValue(_joiner, out var learner)
                    || !proposer.Status.Progress.TryGetValue(proposer.Id, out var leader) || learner.Match < leader.Match * 0.9)
                    return;
                Propose(proposer, ConfChangeType.ConfChangeAddNode, _joiner, new MemberContext { Id = _joiner, IsPromote = true });
                break;
            case Phase.Voter:
                Propose(proposer, ConfChangeType.ConfChangeRemoveNode, _joiner, null);
                break;
        }
    }

    /// <summary>
    /// A change proposed at <paramref name="member"/> was answered. Where it stands is read from
    /// that member's list, which an unanswered change may still reach later; a step taken on a
    /// stale view is refused when applied and corrects itself on the next answer.
    /// </summary>
    public void Done(ConfChange change, SimMember member)
    {
        if (change.Type == ConfChangeType.ConfChangeUpdateNode || change.NodeId != _joiner) return;
        _inFlight = false;
        if (!member.IsUp) return;
        var found = member.Members.Find(_joiner);
        if (found is not null)
        {
            if (_phase == Phase.None) Added++;
            _phase = found.IsLearner ? Phase.Learner : Phase.Voter;
            sim.AddMember(_joiner);
        }
        else if (member.Members.IsRemoved(_joiner))
        {
            _phase = Phase.None;
            sim.RemoveMember(_joiner);
        }
        else
        {
            // Never added (or not yet: an add applied later leaves a learner nobody runs, which
            // holds no vote). The next add takes a new id.
            _phase = Phase.None;
        }
    }

    private void Propose(SimMember proposer, ConfChangeType type, ulong member, MemberContext? context)
    {
        _inFlight = true;
        proposer.ProposeConfChange(type, member, context);
    }
}
