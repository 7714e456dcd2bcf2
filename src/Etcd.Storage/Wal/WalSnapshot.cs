namespace Etcd.Storage.Wal;

/// <summary>
/// The position of a snapshot in the log: the index and term of the last entry it covers. The
/// default (0, 0) is the start of the log, which <see cref="Wal.Create"/> marks.
/// </summary>
public readonly record struct WalSnapshot(ulong Index, ulong Term);
