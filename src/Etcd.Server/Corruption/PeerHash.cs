namespace Etcd.Server.Corruption;

/// <summary>A peer's HashKV answer at the local revision, or why there is none.</summary>
public readonly record struct PeerHash(ulong MemberId, uint Hash, long CompactRevision, string? Error);
