namespace Etcd.Raft;

/// <summary>Why a node campaigns.</summary>
internal enum CampaignType
{
    /// <summary>First phase with pre-vote: ask whether an election could be won, without a new term.</summary>
    PreElection,

    /// <summary>A normal election in a new term.</summary>
    Election,

    /// <summary>Asked to by the leader (TimeoutNow): skips pre-vote and overrides leader leases.</summary>
    Transfer,
}
