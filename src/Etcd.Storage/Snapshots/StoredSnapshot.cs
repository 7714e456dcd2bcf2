namespace Etcd.Storage.Snapshots;

/// <summary>A snapshot as saved: the term and index of the last entry it covers, and the caller's bytes.</summary>
public sealed record StoredSnapshot(ulong Term, ulong Index, byte[] Data);
