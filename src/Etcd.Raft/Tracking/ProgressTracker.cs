using Etcd.Raft.Quorum;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tracking;

/// <summary>
/// The membership in effect plus the leader's per-member progress and the votes of the current
/// election. Members are visited in ascending id order so that output is deterministic.
/// </summary>
internal sealed class ProgressTracker
{
    private Dictionary<ulong, Progress> _progress = [];
    private Progress[] _sorted = [];
    private ulong[] _sortedIds = [];

    public ProgressTracker(int maxInflight) => MaxInflight = maxInflight;

    public int MaxInflight { get; }

    public MembershipConfig Config { get; private set; } = MembershipConfig.Empty;

    /// <summary>Progress of every voter and learner, by id.</summary>
    public IReadOnlyDictionary<ulong, Progress> Progress => _progress;

    /// <summary>Votes received in the current (pre-)election: true granted, false rejected.</summary>
    public Dictionary<ulong, bool> Votes { get; } = [];

    /// <summary>Ids of all members in ascending order; parallel to <see cref="SortedProgress"/>.</summary>
    public ReadOnlySpan<ulong> SortedIds => _sortedIds;

    public ReadOnlySpan<Progress> SortedProgress => _sorted;

    public Progress? Get(ulong id) => _progress.GetValueOrDefault(id);

    /// <summary>Installs a new membership with its progress map (both built by the changer).</summary>
    public void Switch(MembershipConfig config, Dictionary<ulong, Progress> progress)
    {
        Config = config;
        _progress = progress;
        _sortedIds = [.. progress.Keys];
        Array.Sort(_sortedIds);
        _sorted = new Progress[_sortedIds.Length];
        for (int i = 0; i < _sortedIds.Length; i++)
        {
            _sorted[i] = progress[_sortedIds[i]];
        }
    }

    /// <summary>A private copy of the progress map for a changer to modify.</summary>
    public Dictionary<ulong, Progress> CopyProgress()
    {
        var copy = new Dictionary<ulong, Progress>(_progress.Count);
        foreach (var (id, pr) in _progress)
        {
            copy[id] = pr.ShallowCopy();
        }

        return copy;
    }

    public ConfState ConfState() => Config.ToConfState();

    /// <summary>Exactly one voter and not joint: the leader alone decides.</summary>
    public bool IsSingleton => Config.Voters.Incoming.Count == 1 && !Config.Voters.IsJoint;

    /// <summary>The highest index replicated to a quorum of voters (by Match).</summary>
    public ulong Committed() => Config.Voters.CommittedIndex(new MatchIndexer(_progress));

    /// <summary>Whether a quorum of voters was heard from recently (check-quorum).</summary>
    public bool QuorumActive()
    {
        var active = new Dictionary<ulong, bool>(_sorted.Length);
        for (int i = 0; i < _sorted.Length; i++)
        {
            if (!_sorted[i].IsLearner)
            {
                active[_sortedIds[i]] = _sorted[i].RecentActive;
            }
        }

        return Config.Voters.Tally(active) == VoteResult.Won;
    }

    public void ResetVotes() => Votes.Clear();

    /// <summary>Records a vote; only the first vote of each member in an election counts.</summary>
    public void RecordVote(ulong id, bool granted) => Votes.TryAdd(id, granted);

    public (int Granted, int Rejected, VoteResult Result) TallyVotes()
    {
        int granted = 0;
        int rejected = 0;
        for (int i = 0; i < _sorted.Length; i++)
        {
            if (_sorted[i].IsLearner || !Votes.TryGetValue(_sortedIds[i], out bool vote))
            {
                continue;
            }

            if (vote)
            {
                granted++;
            }
            else
            {
                rejected++;
            }
        }

        return (granted, rejected, Config.Voters.Tally(Votes));
    }

    private readonly struct MatchIndexer(Dictionary<ulong, Progress> progress) : IAckedIndexer
    {
        public bool TryGetAckedIndex(ulong voterId, out ulong index)
        {
            if (progress.TryGetValue(voterId, out var pr))
            {
                index = pr.Match;
                return true;
            }

            index = 0;
            return false;
        }
    }
}
