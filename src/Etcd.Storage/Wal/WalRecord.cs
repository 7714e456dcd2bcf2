namespace Etcd.Storage.Wal;

/// <summary>One record as read from a segment, its checksum already verified.</summary>
internal readonly record struct WalRecord(WalRecordType Type, ulong Index, byte[] Data);
