namespace Etcd.Raft;

/// <summary>A copy of the leader's replication state for one member.</summary>
/// <param name="Match">Highest index known to be in the member's log.</param>
/// <param name="Next">Next index the leader will send.</param>
/// <param name="State">How the leader replicates to the member.</param>
/// <param name="PendingSnapshot">Index of the snapshot in flight (Snapshot state).</param>
/// <param name="RecentActive">Heard from within the last check-quorum period.</param>
/// <param name="ProbeSent">A probe is outstanding (Probe state).</param>
/// <param name="IsLearner">The member does not vote.</param>
/// <param name="Inflight">Append messages sent and not yet acknowledged.</param>
/// <param name="IsPaused">The leader is holding off sending to it.</param>
public readonly record struct ProgressStatus(
    ulong Match,
    ulong Next,
    ProgressState State,
    ulong PendingSnapshot,
    bool RecentActive,
    bool ProbeSent,
    bool IsLearner,
    int Inflight,
    bool IsPaused);
