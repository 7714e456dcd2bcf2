using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>Interpretation of configuration change messages, shared by the library and its users.</summary>
public static class ConfChangeExtensions
{
    /// <summary>A v1 change expressed as the equivalent single-change ConfChangeV2.</summary>
    public static ConfChangeV2 AsV2(this ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        var v2 = new ConfChangeV2 { Context = cc.Context };
        v2.Changes.Add(new ConfChangeSingle { Type = cc.Type, NodeId = cc.NodeId });
        return v2;
    }

    /// <summary>
    /// Whether the change must go through a joint configuration (explicitly requested, or more than
    /// one change), and if so whether Raft leaves it by itself.
    /// </summary>
    public static bool EntersJoint(this ConfChangeV2 cc, out bool autoLeave)
    {
        ArgumentNullException.ThrowIfNull(cc);
        if (cc.Transition == ConfChangeTransition.Auto && cc.Changes.Count <= 1)
        {
            autoLeave = false;
            return false;
        }

        autoLeave = cc.Transition switch
        {
            ConfChangeTransition.Auto or ConfChangeTransition.JointImplicit => true,
            ConfChangeTransition.JointExplicit => false,
            _ => throw new ArgumentException($"unknown transition: {cc.Transition}", nameof(cc)),
        };
        return true;
    }

    /// <summary>An empty change (context aside) is the request to leave a joint configuration.</summary>
    public static bool LeavesJoint(this ConfChangeV2 cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return cc.Transition == ConfChangeTransition.Auto && cc.Changes.Count == 0;
    }
}
