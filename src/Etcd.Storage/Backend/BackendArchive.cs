namespace Etcd.Storage.Backend;

/// <summary>
/// The stream <see cref="IBackend.WriteSnapshotTo"/> produces. It is engine-neutral, so a snapshot
/// taken from one engine restores into another (the simulator's memory engine, RocksDB).
/// Layout, integers little-endian:
/// <code>
///   "ETCDBKV1"                                          magic, 8 bytes
///   per pair, in bucket then key order:
///     u8 bucket (never 0), u32 key length, u32 value length, key, value
///   u8 0                                                end of pairs
///   u64 pair count
///   u32 CRC-32C of every byte before it
/// </code>
/// The checksum sits at the end so the writer streams in one pass; a reader therefore only
/// knows the archive is whole once it reached the end, and must not expose what it restored
/// before that.
/// </summary>
internal static class BackendArchive
{
    public static ReadOnlySpan<byte> Magic => "ETCDBKV1"u8;

    /// <summary>Bucket byte, key length, value length.</summary>
    public const int PairHeaderSize = 1 + sizeof(uint) + sizeof(uint);

    public const byte EndMarker = 0;

    /// <summary>End marker, pair count, checksum.</summary>
    public const int TrailerSize = 1 + sizeof(ulong) + sizeof(uint);
}

/// <summary>Receives one pair of an archive being read; the spans are valid only during the call.</summary>
internal delegate void ArchivePairVisitor(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
