namespace Etcd.Raft.Quorum;

/// <summary>
/// Looks up the highest log index a voter has acknowledged. A struct implementation passed as a
/// generic argument keeps commit computation free of allocations and virtual calls.
/// </summary>
internal interface IAckedIndexer
{
    bool TryGetAckedIndex(ulong voterId, out ulong index);
}
