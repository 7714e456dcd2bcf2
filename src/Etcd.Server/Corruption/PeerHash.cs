namespace Etcd.Server.Corruption;

/// <summary>A peer's HashKV answer at the revision asked (and the peer's own revision then), or why there is none.</summary>
public readonly record struct PeerHash(ulong MemberId, uint Hash, long CompactRevision, long Revision, string? Error);
