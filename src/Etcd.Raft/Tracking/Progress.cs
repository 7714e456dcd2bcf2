namespace Etcd.Raft.Tracking;

/// <summary>
/// The leader's view of one follower (or learner): what it is known to have (Match), what to send
/// next (Next), and the flow-control state deciding whether to send at all.
/// </summary>
internal sealed class Progress
{
    public Progress(ulong match, ulong next, Inflights inflights, bool isLearner)
    {
        Match = match;
        Next = next;
        Inflights = inflights;
        IsLearner = isLearner;
    }

    /// <summary>Highest index known to be in the follower's log.</summary>
    public ulong Match { get; set; }

    /// <summary>Index of the next entry to send. Invariant: Match &lt; Next.</summary>
    public ulong Next { get; set; }

    public ProgressState State { get; private set; } = ProgressState.Probe;

    /// <summary>In Snapshot state: the index of the snapshot being sent.</summary>
    public ulong PendingSnapshot { get; set; }

    /// <summary>Heard from since the last check-quorum round (or since being added).</summary>
    public bool RecentActive { get; set; }

    /// <summary>In Probe state: an append was sent and no answer (or heartbeat reply) came back yet.</summary>
    public bool ProbeSent { get; set; }

    public Inflights Inflights { get; }

    public bool IsLearner { get; set; }

    /// <summary>Whether the leader must hold off sending appends to this follower.</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.IsFull,
        _ => true,
    };

    /// <summary>A copy sharing the in-flight window; the original is discarded by the caller.</summary>
    public Progress ShallowCopy() => (Progress)MemberwiseClone();

    /// <summary>Forgets everything learned in the previous term: probe afresh from <paramref name="next"/>.</summary>
    public void ResetForNewTerm(ulong match, ulong next)
    {
        ResetState(ProgressState.Probe);
        Match = match;
        Next = next;
        RecentActive = false;
    }

    public void BecomeProbe()
    {
        // After a snapshot the follower has at least the snapshot, so probing starts just past it.
        ulong next = State == ProgressState.Snapshot
            ? Math.Max(Match + 1, PendingSnapshot + 1)
            : Match + 1;
        ResetState(ProgressState.Probe);
        Next = next;
    }

    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    /// <summary>
    /// Takes an acknowledgement of everything up to <paramref name="index"/>. Returns false if it was
    /// stale (Match already covered it).
    /// </summary>
    public bool MaybeUpdate(ulong index)
    {
        bool updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>In Replicate state, appends are assumed to arrive: Next moves past what was sent.</summary>
    public void OptimisticUpdate(ulong lastSent) => Next = lastSent + 1;

    /// <summary>
    /// Handles a rejected append for <paramref name="rejected"/>, where the follower's log ends at
    /// <paramref name="lastIndex"/>. Returns false if the rejection is stale (refers to an append that
    /// is no longer the one outstanding).
    /// </summary>
    public bool MaybeDecrTo(ulong rejected, ulong lastIndex)
    {
        if (State == ProgressState.Replicate)
        {
            // Anything at or below Match was accepted before, so this rejection is out of order.
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            return true;
        }

        // In Probe state only the answer to the outstanding probe (sent from Next-1) counts.
        if (Next - 1 != rejected)
        {
            return false;
        }

        // Jump straight to the follower's last index instead of walking back one entry at a time.
        Next = Math.Max(Math.Min(rejected, lastIndex + 1), 1);
        ProbeSent = false;
        return true;
    }

    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append("State").Append(State).Append(" match=").Append(Match).Append(" next=").Append(Next);
        if (IsLearner)
        {
            text.Append(" learner");
        }

        if (IsPaused)
        {
            text.Append(" paused");
        }

        if (PendingSnapshot > 0)
        {
            text.Append(" pendingSnap=").Append(PendingSnapshot);
        }

        if (!RecentActive)
        {
            text.Append(" inactive");
        }

        if (Inflights.Count > 0)
        {
            text.Append(" inflight=").Append(Inflights.Count);
            if (Inflights.IsFull)
            {
                text.Append("[full]");
            }
        }

        return text.ToString();
    }

    private void ResetState(ProgressState state)
    {
        ProbeSent = false;
        PendingSnapshot = 0;
        State = state;
        Inflights.Reset();
    }
}
