namespace Etcd.Raft;

/// <summary>How a leader is currently replicating to one follower.</summary>
public enum ProgressState
{
    /// <summary>The follower's log position is unknown: one append at a time until one is accepted.</summary>
    Probe,

    /// <summary>Appends stream optimistically, up to the in-flight window.</summary>
    Replicate,

    /// <summary>A snapshot is on its way; appends wait until it is reported applied or failed.</summary>
    Snapshot,
}
