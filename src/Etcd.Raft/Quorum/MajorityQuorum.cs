namespace Etcd.Raft.Quorum;

/// <summary>Decisions of a simple majority of one voter set.</summary>
internal static class MajorityQuorum
{
    /// <summary>
    /// The largest index acknowledged by a majority of <paramref name="voters"/>. Voters with no
    /// acknowledgement count as 0. An empty set commits everything (ulong.MaxValue), so that a joint
    /// config with an empty half is decided by the other half alone.
    /// </summary>
    public static ulong CommittedIndex<TIndexer>(IdSet voters, TIndexer acked)
        where TIndexer : IAckedIndexer
    {
        int n = voters.Count;
        if (n == 0)
        {
            return ulong.MaxValue;
        }

        Span<ulong> sorted = n <= 16 ? stackalloc ulong[n] : new ulong[n];
        int i = 0;
        foreach (ulong id in voters)
        {
            sorted[i++] = acked.TryGetAckedIndex(id, out ulong index) ? index : 0;
        }

        // Insertion sort: voter sets are a handful of members.
        for (int a = 1; a < n; a++)
        {
            for (int b = a; b > 0 && sorted[b] < sorted[b - 1]; b--)
            {
                (sorted[b], sorted[b - 1]) = (sorted[b - 1], sorted[b]);
            }
        }

        // The highest index such that a majority (n/2+1 voters) has at least it.
        return sorted[n - (n / 2 + 1)];
    }

    /// <summary>Tallies yes (true) and no (false) votes; voters absent from the map have not voted.</summary>
    public static VoteResult Tally(IdSet voters, IReadOnlyDictionary<ulong, bool> votes)
    {
        if (voters.Count == 0)
        {
            // An empty half of a joint config agrees with whatever the other half decides.
            return VoteResult.Won;
        }

        int yes = 0;
        int missing = 0;
        foreach (ulong id in voters)
        {
            if (!votes.TryGetValue(id, out bool vote))
            {
                missing++;
            }
            else if (vote)
            {
                yes++;
            }
        }

        int quorum = voters.Count / 2 + 1;
        if (yes >= quorum)
        {
            return VoteResult.Won;
        }

        return yes + missing >= quorum ? VoteResult.Pending : VoteResult.Lost;
    }
}
