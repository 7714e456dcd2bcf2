using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;

namespace Etcd.Raft.Membership;

/// <summary>
/// Computes the membership (and progress map) that results from a configuration change, without
/// touching the current one. Three kinds of change exist: a simple change of at most one voter,
/// entering a joint configuration (any changes; decisions then need both the old and new majority),
/// and leaving it.
/// </summary>
internal sealed class ConfChanger
{
    private readonly MembershipConfig _config;
    private readonly IReadOnlyDictionary<ulong, Progress> _progress;
    private readonly int _maxInflight;
    private readonly ulong _lastIndex;

    public ConfChanger(MembershipConfig config, IReadOnlyDictionary<ulong, Progress> progress, int maxInflight, ulong lastIndex)
    {
        _config = config;
        _progress = progress;
        _maxInflight = maxInflight;
        _lastIndex = lastIndex;
    }

    public ConfChangeResult EnterJoint(bool autoLeave, IReadOnlyList<ConfChangeSingle> changes)
    {
        if (!TryCopy(out var draft, out string? error))
        {
            return ConfChangeResult.Failed(error);
        }

        if (draft.Outgoing.Count > 0)
        {
            return ConfChangeResult.Failed("config is already joint");
        }

        if (draft.Incoming.Count == 0)
        {
            // An empty outgoing half would mean "not joint", so there would be nothing to leave.
            return ConfChangeResult.Failed("can't make a zero-voter config joint");
        }

        // The current voters become the outgoing half; the changes then shape the incoming half.
        draft.Outgoing.UnionWith(draft.Incoming);
        if (!Apply(draft, changes, out error))
        {
            return ConfChangeResult.Failed(error);
        }

        draft.AutoLeave = autoLeave;
        return Finish(draft);
    }

    public ConfChangeResult LeaveJoint()
    {
        if (!TryCopy(out var draft, out string? error))
        {
            return ConfChangeResult.Failed(error);
        }

        if (draft.Outgoing.Count == 0)
        {
            return ConfChangeResult.Failed("can't leave a non-joint config");
        }

        foreach (ulong id in draft.LearnersNext)
        {
            draft.Learners.Add(id);
            draft.Progress[id].IsLearner = true;
        }

        draft.LearnersNext.Clear();
        foreach (ulong id in draft.Outgoing)
        {
            if (!draft.Incoming.Contains(id) && !draft.Learners.Contains(id))
            {
                draft.Progress.Remove(id);
            }
        }

        draft.Outgoing.Clear();
        draft.AutoLeave = false;
        return Finish(draft);
    }

    /// <summary>Changes at most one voter (any number of learners) without a joint configuration.</summary>
    public ConfChangeResult Simple(IReadOnlyList<ConfChangeSingle> changes)
    {
        if (!TryCopy(out var draft, out string? error))
        {
            return ConfChangeResult.Failed(error);
        }

        if (draft.Outgoing.Count > 0)
        {
            return ConfChangeResult.Failed("can't apply simple config change in joint config");
        }

        if (!Apply(draft, changes, out error))
        {
            return ConfChangeResult.Failed(error);
        }

        // Two majorities that differ by more than one voter may not intersect: that needs joint consensus.
        int changed = 0;
        foreach (ulong id in _config.Voters.Incoming)
        {
            changed += draft.Incoming.Contains(id) ? 0 : 1;
        }

        foreach (ulong id in draft.Incoming)
        {
            changed += _config.Voters.Incoming.Contains(id) ? 0 : 1;
        }

        if (changed > 1)
        {
            return ConfChangeResult.Failed("more than one voter changed without entering joint config");
        }

        return Finish(draft);
    }

    private bool Apply(Draft draft, IReadOnlyList<ConfChangeSingle> changes, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        foreach (var change in changes)
        {
            if (change.NodeId == 0)
            {
                // etcd uses id 0 for no-op changes.
                continue;
            }

            switch (change.Type)
            {
                case ConfChangeType.ConfChangeAddNode:
                    MakeVoter(draft, change.NodeId);
                    break;
                case ConfChangeType.ConfChangeAddLearnerNode:
                    MakeLearner(draft, change.NodeId);
                    break;
                case ConfChangeType.ConfChangeRemoveNode:
                    Remove(draft, change.NodeId);
                    break;
                case ConfChangeType.ConfChangeUpdateNode:
                    break;
                default:
                    error = $"unexpected conf type {change.Type}";
                    return false;
            }
        }

        if (draft.Incoming.Count == 0)
        {
            error = "removed all voters";
            return false;
        }

        error = null;
        return true;
    }

    private void MakeVoter(Draft draft, ulong id)
    {
        if (!draft.Progress.TryGetValue(id, out var pr))
        {
            AddProgress(draft, id, isLearner: false);
            return;
        }

        pr.IsLearner = false;
        draft.Learners.Remove(id);
        draft.LearnersNext.Remove(id);
        draft.Incoming.Add(id);
    }

    private void MakeLearner(Draft draft, ulong id)
    {
        if (!draft.Progress.TryGetValue(id, out var pr))
        {
            AddProgress(draft, id, isLearner: true);
            return;
        }

        if (pr.IsLearner)
        {
            return;
        }

        // Remove it as a voter first, keeping its progress.
        Remove(draft, id);
        draft.Progress[id] = pr;

        // A voter still in the outgoing majority cannot become a learner until the joint config is
        // left; it is parked in LearnersNext. Otherwise it becomes a learner right away.
        if (draft.Outgoing.Contains(id))
        {
            draft.LearnersNext.Add(id);
        }
        else
        {
            pr.IsLearner = true;
            draft.Learners.Add(id);
        }
    }

    private static void Remove(Draft draft, ulong id)
    {
        if (!draft.Progress.ContainsKey(id))
        {
            return;
        }

        draft.Incoming.Remove(id);
        draft.Learners.Remove(id);
        draft.LearnersNext.Remove(id);

        // An outgoing voter keeps its progress: it still counts until the joint config is left.
        if (!draft.Outgoing.Contains(id))
        {
            draft.Progress.Remove(id);
        }
    }

    private void AddProgress(Draft draft, ulong id, bool isLearner)
    {
        if (isLearner)
        {
            draft.Learners.Add(id);
        }
        else
        {
            draft.Incoming.Add(id);
        }

        // Probe from the last index: the new member's log position is unknown. It counts as active
        // so that check-quorum does not depose the leader before the new member had a chance to answer.
        draft.Progress[id] = new Progress(0, _lastIndex, new Inflights(_maxInflight), isLearner) { RecentActive = true };
    }

    private bool TryCopy(out Draft draft, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        draft = new Draft(_config, _progress);
        error = Draft.CheckInvariants(draft);
        return error is null;
    }

    private static ConfChangeResult Finish(Draft draft)
    {
        string? error = Draft.CheckInvariants(draft);
        return error is null ? new ConfChangeResult(draft.ToConfig(), draft.Progress, null) : ConfChangeResult.Failed(error);
    }

    /// <summary>A mutable copy of a membership being changed.</summary>
    private sealed class Draft
    {
        public Draft(MembershipConfig config, IReadOnlyDictionary<ulong, Progress> progress)
        {
            Incoming = [.. config.Voters.Incoming.ToArray()];
            Outgoing = [.. config.Voters.Outgoing.ToArray()];
            Learners = [.. config.Learners.ToArray()];
            LearnersNext = [.. config.LearnersNext.ToArray()];
            AutoLeave = config.AutoLeave;
            Progress = new Dictionary<ulong, Progress>(progress.Count);
            foreach (var (id, pr) in progress)
            {
                Progress[id] = pr.ShallowCopy();
            }
        }

        public HashSet<ulong> Incoming { get; }

        public HashSet<ulong> Outgoing { get; }

        public HashSet<ulong> Learners { get; }

        public HashSet<ulong> LearnersNext { get; }

        public bool AutoLeave { get; set; }

        public Dictionary<ulong, Progress> Progress { get; }

        public MembershipConfig ToConfig() => new(
            new JointConfig(IdSet.Of(Incoming), IdSet.Of(Outgoing)),
            IdSet.Of(Learners),
            IdSet.Of(LearnersNext),
            AutoLeave);

        /// <summary>The invariants every membership satisfies; returns a description of the first broken one.</summary>
        public static string? CheckInvariants(Draft draft)
        {
            foreach (var ids in new[] { draft.Incoming, draft.Outgoing, draft.Learners, draft.LearnersNext })
            {
                foreach (ulong id in ids)
                {
                    if (!draft.Progress.ContainsKey(id))
                    {
                        return $"no progress for {id}";
                    }
                }
            }

            foreach (ulong id in draft.LearnersNext)
            {
                if (!draft.Outgoing.Contains(id))
                {
                    return $"{id} is in LearnersNext, but not Voters[1]";
                }

                if (draft.Progress[id].IsLearner)
                {
                    return $"{id} is in LearnersNext, but is already marked as learner";
                }
            }

            foreach (ulong id in draft.Learners)
            {
                if (draft.Outgoing.Contains(id))
                {
                    return $"{id} is in Learners and Voters[1]";
                }

                if (draft.Incoming.Contains(id))
                {
                    return $"{id} is in Learners and Voters[0]";
                }

                if (!draft.Progress[id].IsLearner)
                {
                    return $"{id} is in Learners, but is not marked as learner";
                }
            }

            if (draft.Outgoing.Count == 0)
            {
                if (draft.LearnersNext.Count > 0)
                {
                    return "LearnersNext must be empty when not joint";
                }

                if (draft.AutoLeave)
                {
                    return "AutoLeave must be false when not joint";
                }
            }

            return null;
        }
    }
}
