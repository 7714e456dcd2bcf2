using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;

namespace Etcd.Raft.Membership;

/// <summary>
/// Rebuilds a membership from a <see cref="ConfState"/> (at startup or when installing a snapshot)
/// by replaying changes that lead to it from an empty configuration.
/// </summary>
internal static class ConfStateRestorer
{
    public static ConfChangeResult Restore(ConfState cs, int maxInflight, ulong lastIndex)
    {
        var config = MembershipConfig.Empty;
        var progress = new Dictionary<ulong, Progress>();

        ConfChangeResult Step(Func<ConfChanger, ConfChangeResult> change)
        {
            var result = change(new ConfChanger(config, progress, maxInflight, lastIndex));
            if (result.Succeeded)
            {
                config = result.Config;
                progress = result.Progress;
            }

            return result;
        }

        // The incoming half: drop the outgoing voters (which, when joint, are added first below),
        // then add the incoming voters and all learners. LearnersNext are added as learners: while
        // joint, a learner that is also an outgoing voter lands in LearnersNext.
        var incoming = new List<ConfChangeSingle>();
        foreach (ulong id in cs.VotersOutgoing)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id });
        }

        foreach (ulong id in cs.Voters)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = id });
        }

        foreach (ulong id in cs.Learners)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = id });
        }

        foreach (ulong id in cs.LearnersNext)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = id });
        }

        if (cs.VotersOutgoing.Count == 0)
        {
            // Not joint: one simple change per member.
            foreach (var change in incoming)
            {
                var result = Step(c => c.Simple([change]));
                if (!result.Succeeded)
                {
                    return result;
                }
            }
        }
        else
        {
            // Joint: first build the outgoing config one voter at a time, then enter the joint
            // config with all changes that lead to the incoming one.
            foreach (ulong id in cs.VotersOutgoing)
            {
                var add = new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = id };
                var result = Step(c => c.Simple([add]));
                if (!result.Succeeded)
                {
                    return result;
                }
            }

            var joint = Step(c => c.EnterJoint(cs.AutoLeave, incoming));
            if (!joint.Succeeded)
            {
                return joint;
            }
        }

        return new ConfChangeResult(config, progress, null);
    }
}
