namespace Etcd.Raft;

/// <summary>Volatile state worth telling the application about; it need not be persisted.</summary>
/// <param name="Lead">The known leader of the current term, or 0 when none is known.</param>
/// <param name="RaftState">This node's role.</param>
public readonly record struct SoftState(ulong Lead, RaftState RaftState);
