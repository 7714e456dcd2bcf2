using Etcd.Raft.Quorum;

namespace Etcd.Raft;

/// <summary>
/// The voters: the incoming set, and while a joint configuration is in effect also the outgoing set.
/// Decisions (commit, elections) then need a majority of each.
/// </summary>
public readonly record struct JointConfig(IdSet Incoming, IdSet Outgoing)
{
    public bool IsJoint => Outgoing.Count > 0;

    /// <summary>Every voter of either half.</summary>
    public IdSet All => Incoming.Union(Outgoing);

    internal ulong CommittedIndex<TIndexer>(TIndexer acked)
        where TIndexer : IAckedIndexer
        => Math.Min(MajorityQuorum.CommittedIndex(Incoming, acked), MajorityQuorum.CommittedIndex(Outgoing, acked));

    internal VoteResult Tally(IReadOnlyDictionary<ulong, bool> votes)
    {
        VoteResult incoming = MajorityQuorum.Tally(Incoming, votes);
        VoteResult outgoing = MajorityQuorum.Tally(Outgoing, votes);
        if (incoming == outgoing)
        {
            return incoming;
        }

        // Either half losing loses the whole; otherwise one half is still pending.
        return incoming == VoteResult.Lost || outgoing == VoteResult.Lost ? VoteResult.Lost : VoteResult.Pending;
    }

    /// <summary>Formats as "(1 2 3)" or, when joint, "(1 2 4)&amp;&amp;(1 2 3)".</summary>
    public override string ToString() => IsJoint ? $"{Incoming}&&{Outgoing}" : Incoming.ToString();
}
