namespace Etcd.Bbolt;

/// <summary>
/// The on-disk layout of a bbolt file, as bbolt 1.3 writes it (all integers little-endian, the
/// byte order of the machines etcd runs on). The file is a run of fixed-size pages; page 0 and 1
/// are the two meta pages, the newest valid of which names the root bucket's page and the freelist.
/// A page starts with a 16-byte header (id u64, flags u16, count u16, overflow u32); a page with
/// overflow n spans n+1 consecutive pages. Branch and leaf pages hold <c>count</c> 16-byte
/// elements after the header, each pointing (relative to its own position) at its key and value.
/// </summary>
public static class BboltFormat
{
    public const uint Magic = 0xED0CDAED;
    public const uint Version = 2;

    public const int PageHeaderSize = 16;

    /// <summary>Branch elements (pos u32, ksize u32, child page u64) and leaf elements (flags u32, pos u32, ksize u32, vsize u32) are both 16 bytes.</summary>
    public const int ElementSize = 16;

    /// <summary>A bucket's value: its root page (0 for an inline bucket) and its sequence, both u64; an inline bucket's leaf page follows.</summary>
    public const int BucketHeaderSize = 16;

    /// <summary>magic, version, page size, flags (u32 each), root bucket (16), freelist, high water mark, txid, checksum (u64 each).</summary>
    public const int MetaSize = 64;

    /// <summary>The meta checksum (FNV-1a 64) covers the meta up to the checksum itself.</summary>
    public const int MetaChecksumOffset = 56;

    public const ushort BranchPage = 0x01;
    public const ushort LeafPage = 0x02;
    public const ushort MetaPage = 0x04;
    public const ushort FreelistPage = 0x10;

    /// <summary>Leaf element flag: the value is a nested bucket.</summary>
    public const uint BucketLeafFlag = 0x01;

    /// <summary>The freelist page id of a file written without a freelist (etcd's NoFreelistSync).</summary>
    public const ulong NoFreelist = ulong.MaxValue;

    /// <summary>A freelist whose count field holds this keeps its real count in its first u64.</summary>
    public const ushort FreelistCountOverflow = 0xFFFF;

    public const int DefaultPageSize = 4096;

    /// <summary>bbolt's limits on one key and one value.</summary>
    public const int MaxKeySize = 32768;
    public const int MaxValueSize = int.MaxValue - 1;

    public static bool IsValidPageSize(long size) => size is >= 512 and <= 65536 && (size & (size - 1)) == 0;
}
