namespace Etcd.Raft;

/// <summary>Outcome of an input to a node. Errors are values here: they occur on the request path.</summary>
public enum RaftError
{
    None,

    /// <summary>
    /// The proposal was not appended: no leader is known, forwarding is disabled, a leader transfer is
    /// in progress, this leader was removed, or the uncommitted-size limit was reached. Retry later.
    /// </summary>
    ProposalDropped,

    /// <summary>A message type that only the node itself may generate was passed to Step.</summary>
    StepLocalMessage,

    /// <summary>A response arrived from a node that is not in the configuration.</summary>
    StepPeerNotFound,
}
