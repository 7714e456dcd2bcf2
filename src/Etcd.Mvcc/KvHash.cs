namespace Etcd.Mvcc;

/// <summary>The result of <see cref="KvStore.HashKV"/>: etcd's HashKVResponse fields.</summary>
public readonly record struct KvHash(uint Hash, long CurrentRevision, long CompactRevision);
