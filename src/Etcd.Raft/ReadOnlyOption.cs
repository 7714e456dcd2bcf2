namespace Etcd.Raft;

/// <summary>How a leader confirms it is still the leader before answering a ReadIndex request.</summary>
public enum ReadOnlyOption
{
    /// <summary>A heartbeat round acknowledged by a quorum confirms leadership for each read.</summary>
    Safe,

    /// <summary>
    /// The leader trusts its lease (it heard from a quorum within the election timeout). Faster, but
    /// only correct if clocks run at the same rate, and not across forced leader transfers.
    /// Requires <see cref="RaftConfig.CheckQuorum"/>.
    /// </summary>
    LeaseBased,
}
