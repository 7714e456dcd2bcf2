using System.Buffers.Binary;

namespace Etcd.Bbolt;

/// <summary>One meta page's contents: where the tree starts and how far the file is in use.</summary>
/// <param name="PageSize">Bytes per page.</param>
/// <param name="RootPage">The root bucket's root page.</param>
/// <param name="RootSequence">The root bucket's sequence.</param>
/// <param name="FreelistPage">The freelist's page, or <see cref="BboltFormat.NoFreelist"/>.</param>
/// <param name="HighWaterMark">Pages in use: the file's data ends at HighWaterMark * PageSize.</param>
/// <param name="TxId">The transaction that wrote it; the newer valid meta of the two wins.</param>
public readonly record struct BboltMeta(uint PageSize, uint Flags, ulong RootPage, ulong RootSequence, ulong FreelistPage, ulong HighWaterMark, ulong TxId)
{
    /// <summary>
    /// Reads the meta that follows a page header in <paramref name="page"/>; null when its magic,
    /// version or checksum is wrong (a zero checksum is accepted, as bbolt accepts it).
    /// </summary>
    public static BboltMeta? TryRead(ReadOnlySpan<byte> page)
    {
        if (page.Length < BboltFormat.PageHeaderSize + BboltFormat.MetaSize) return null;
        var meta = page.Slice(BboltFormat.PageHeaderSize, BboltFormat.MetaSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(meta) != BboltFormat.Magic) return null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(meta[4..]) != BboltFormat.Version) return null;
        var checksum = BinaryPrimitives.ReadUInt64LittleEndian(meta[BboltFormat.MetaChecksumOffset..]);
        if (checksum != 0 && checksum != Fnv64a.Hash(meta[..BboltFormat.MetaChecksumOffset])) return null;
        return new BboltMeta(
            BinaryPrimitives.ReadUInt32LittleEndian(meta[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(meta[12..]),
            BinaryPrimitives.ReadUInt64LittleEndian(meta[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(meta[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(meta[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(meta[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(meta[48..]));
    }

    /// <summary>Writes a whole meta page (header, meta, checksum) into <paramref name="page"/>, which must be zeroed.</summary>
    public void WritePage(Span<byte> page, ulong pageId)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(page, pageId);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], BboltFormat.MetaPage);
        var meta = page.Slice(BboltFormat.PageHeaderSize, BboltFormat.MetaSize);
        BinaryPrimitives.WriteUInt32LittleEndian(meta, BboltFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[4..], BboltFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[8..], PageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[12..], Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[16..], RootPage);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[24..], RootSequence);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[32..], FreelistPage);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[40..], HighWaterMark);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[48..], TxId);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[BboltFormat.MetaChecksumOffset..], Fnv64a.Hash(meta[..BboltFormat.MetaChecksumOffset]));
    }
}
