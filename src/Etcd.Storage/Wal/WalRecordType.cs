namespace Etcd.Storage.Wal;

/// <summary>
/// Kinds of WAL records. The numbers are on disk: never reuse one. Entry and state payloads are
/// opaque to the WAL (the server stores its Raft entries and hard state in them); the others
/// the WAL writes and interprets itself.
/// </summary>
internal enum WalRecordType : byte
{
    /// <summary>Never written: a zero type marks unused (preallocated) space.</summary>
    None = 0,

    /// <summary>First record of every segment; data = the previous segment's final checksum (u32).</summary>
    Crc = 1,

    /// <summary>Second record of every segment; data = the metadata given at creation.</summary>
    Metadata = 2,

    /// <summary>A snapshot was taken; data = index (u64), term (u64).</summary>
    Snapshot = 3,

    /// <summary>A log entry; the frame carries its index, the data is the caller's.</summary>
    Entry = 4,

    /// <summary>The caller's state (Raft hard state); the last one wins, and each segment repeats it.</summary>
    State = 5,
}
