namespace Etcd.Storage.Wal;

/// <summary>A log entry read back from the WAL: its index and the bytes the caller appended.</summary>
public sealed record WalEntry(ulong Index, byte[] Data);
