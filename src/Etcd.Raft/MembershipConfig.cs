using System.Text;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>
/// The membership a node currently acts on (etcd's tracker.Config). Immutable: a change builds a new one.
/// </summary>
public sealed class MembershipConfig
{
    public MembershipConfig(JointConfig voters, IdSet learners, IdSet learnersNext, bool autoLeave)
    {
        Voters = voters;
        Learners = learners;
        LearnersNext = learnersNext;
        AutoLeave = autoLeave;
    }

    public static MembershipConfig Empty { get; } = new(default, default, default, false);

    public JointConfig Voters { get; }

    /// <summary>Members that receive the log but do not vote. Never overlaps the voters.</summary>
    public IdSet Learners { get; }

    /// <summary>
    /// Outgoing voters that become learners when the joint configuration is left (a voter cannot be
    /// demoted in one step while it still counts in the outgoing majority).
    /// </summary>
    public IdSet LearnersNext { get; }

    /// <summary>Joint, and the leader leaves the joint configuration by itself once it can.</summary>
    public bool AutoLeave { get; }

    public ConfState ToConfState()
    {
        var cs = new ConfState { AutoLeave = AutoLeave };
        cs.Voters.AddRange(Voters.Incoming.ToArray());
        cs.VotersOutgoing.AddRange(Voters.Outgoing.ToArray());
        cs.Learners.AddRange(Learners.ToArray());
        cs.LearnersNext.AddRange(LearnersNext.ToArray());
        return cs;
    }

    public override string ToString()
    {
        var text = new StringBuilder("voters=").Append(Voters);
        if (Learners.Count > 0)
        {
            text.Append(" learners=").Append(Learners);
        }

        if (LearnersNext.Count > 0)
        {
            text.Append(" learners_next=").Append(LearnersNext);
        }

        if (AutoLeave)
        {
            text.Append(" autoleave");
        }

        return text.ToString();
    }
}
