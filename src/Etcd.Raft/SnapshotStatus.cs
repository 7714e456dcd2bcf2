namespace Etcd.Raft;

/// <summary>What the transport reports back after trying to send a MsgSnap.</summary>
public enum SnapshotStatus
{
    Finish = 1,
    Failure = 2,
}
