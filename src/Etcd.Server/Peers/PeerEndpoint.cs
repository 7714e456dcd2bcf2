using Etcd.Server.Membership;
using Etcd.Server.Replication;

namespace Etcd.Server.Peers;

/// <summary>What the peer API serves from: set up by the bootstrap before the peer host starts.</summary>
public sealed class PeerEndpoint(PeerAdmission admission, SnapshotReceiver snapshots, ClusterMembers members, RaftNode raft, Mvcc.KvStore kv)
{
    public PeerAdmission Admission => admission;
    public SnapshotReceiver Snapshots => snapshots;
    public ClusterMembers Members => members;
    public RaftNode Raft => raft;

    /// <summary>The keys, hashed for a peer's corruption check.</summary>
    public Mvcc.KvStore Kv => kv;

    /// <summary>Set once the server exists: the leader's half of a follower's MemberPromote.</summary>
    public MembershipChanges? MembershipChanges { get; set; }

    /// <summary>Set once the server exists: the leader's half of a follower's lease renewals and time-to-live.</summary>
    public Leases.LeaseRequests? Leases { get; set; }

    /// <summary>Set once the server exists: the leader's half of a follower's Authenticate.</summary>
    public AuthenticateRequests? Authenticate { get; set; }

    /// <summary>Set once the server exists: who a forwarded request's token names (MemberPromote needs root).</summary>
    public Authentication.Callers? Callers { get; set; }
}
