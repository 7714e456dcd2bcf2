namespace Etcd.Raft;

/// <summary>The role a node plays in its current term.</summary>
public enum RaftState
{
    Follower,
    Candidate,
    Leader,
    /// <summary>Polling peers (pre-vote) before starting a real election; the term is unchanged.</summary>
    PreCandidate,
}
