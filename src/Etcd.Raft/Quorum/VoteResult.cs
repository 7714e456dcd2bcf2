namespace Etcd.Raft.Quorum;

/// <summary>The state of an election (or any yes/no poll) among a set of voters.</summary>
internal enum VoteResult
{
    /// <summary>Not decided: enough voters have not answered to go either way.</summary>
    Pending = 1,

    /// <summary>A majority can no longer be reached.</summary>
    Lost,

    /// <summary>A majority said yes.</summary>
    Won,
}
