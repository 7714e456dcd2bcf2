using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Etcd.Bbolt;

/// <summary>Receives one entry of a bucket, in key order; the spans are valid only during the call. Return false to stop.</summary>
public delegate bool BboltVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isBucket);

/// <summary>
/// Reads a bbolt file page by page (no mapping, no cache: memory stays one page per tree level).
/// Opening picks the newer valid meta page, as bbolt does. Every page number, element and length
/// is checked before use, every page is visited at most once per walk and trees at most
/// <see cref="MaxDepth"/> deep, so a truncated, corrupt or foreign file ends in an
/// <see cref="InvalidDataException"/> in time linear in its size, never a crash or a hang.
/// </summary>
public sealed class BboltReader : IDisposable
{
    /// <summary>Far beyond any real tree (a 4 KiB-page tree of 2^64 keys is under 20 deep).</summary>
    public const int MaxDepth = 64;

    private readonly SafeFileHandle _file;
    private readonly long _fileLength;
    private readonly long _dataLength;

    private BboltReader(SafeFileHandle file, long fileLength, BboltMeta meta)
    {
        _file = file;
        _fileLength = fileLength;
        Meta = meta;
        if ((ulong)fileLength / meta.PageSize < meta.HighWaterMark)
        {
            throw new InvalidDataException($"bbolt: file of {fileLength} bytes is shorter than its {meta.HighWaterMark} pages of {meta.PageSize} bytes (truncated?)");
        }
        _dataLength = (long)meta.HighWaterMark * meta.PageSize;
    }

    public BboltMeta Meta { get; }

    public int PageSize => (int)Meta.PageSize;

    /// <summary>The bytes the database uses (bbolt's Tx.Size): its pages, without what the file holds past them.</summary>
    public long Size => _dataLength;

    public BboltBucket Root => BboltBucket.Root(Meta);

    /// <summary>Opens <paramref name="path"/> for reading; throws <see cref="InvalidDataException"/> when it is not a bbolt file.</summary>
    public static BboltReader Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            var length = RandomAccess.GetLength(file);
            return new BboltReader(file, length, ReadMeta(file, length));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Meta page 0 names the page size; meta page 1 sits one page further. The valid one with the higher txid wins.</summary>
    private static BboltMeta ReadMeta(SafeFileHandle file, long length)
    {
        var first = new byte[BboltFormat.PageHeaderSize + BboltFormat.MetaSize];
        if (length < first.Length || RandomAccess.Read(file, first, 0) < first.Length)
        {
            throw new InvalidDataException($"bbolt: file of {length} bytes is too short to be a bbolt database");
        }
        var meta0 = BboltMeta.TryRead(first);
        BboltMeta? meta1 = null;
        // Without a valid first meta the page size is unknown: try every size bbolt could have used.
        for (long size = 512; size <= 65536 && meta1 is null; size *= 2)
        {
            if (meta0 is { } m0 && m0.PageSize != size) continue;
            var second = new byte[first.Length];
            if (size + second.Length > length || RandomAccess.Read(file, second, size) < second.Length) continue;
            if (BboltMeta.TryRead(second) is { } m1 && m1.PageSize == size) meta1 = m1;
        }
        if (meta0 is { } a && !BboltFormat.IsValidPageSize(a.PageSize)) meta0 = null;
        var chosen = (meta0, meta1) switch
        {
            ({ } a0, { } b1) => a0.TxId >= b1.TxId ? a0 : b1,
            ({ } a0, null) => a0,
            (null, { } b1) => b1,
            _ => throw new InvalidDataException("bbolt: invalid database (no valid meta page: not a bbolt file, or both metas corrupt)"),
        };
        if (chosen.HighWaterMark < 2 || chosen.RootPage < 2 || chosen.RootPage >= chosen.HighWaterMark)
        {
            throw new InvalidDataException($"bbolt: meta names root page {chosen.RootPage} of {chosen.HighWaterMark}");
        }
        return chosen;
    }

    /// <summary>The value of <paramref name="name"/> in <paramref name="parent"/> when it is a nested bucket; null when absent or a plain key.</summary>
    public BboltBucket? Bucket(BboltBucket parent, ReadOnlySpan<byte> name)
    {
        BboltBucket? found = null;
        var wanted = name.ToArray();
        ForEach(parent, (key, value, isBucket) =>
        {
            var order = key.SequenceCompareTo(wanted);
            if (order == 0 && isBucket) found = BboltBucket.Parse(value);
            return order < 0;
        });
        return found;
    }

    /// <summary>Visits the entries of <paramref name="bucket"/> in key order until <paramref name="visit"/> returns false; returns whether it visited all.</summary>
    public bool ForEach(BboltBucket bucket, BboltVisitor visit)
    {
        if (bucket.InlinePage is { } inline) return VisitLeaf(new PageView(inline), visit, inlinePage: true);
        return Walk(bucket.RootPage, 0, visit, new HashSet<ulong>(), pages: null);
    }

    /// <summary>The page ids the freelist holds (empty when the file keeps none).</summary>
    public List<ulong> FreePages()
    {
        var free = new List<ulong>();
        if (Meta.FreelistPage == BboltFormat.NoFreelist) return free;
        var buffer = ReadPage(Meta.FreelistPage, out var length);
        try
        {
            var page = new PageView(buffer.AsSpan(0, length));
            if ((page.Flags & BboltFormat.FreelistPage) == 0) throw new InvalidDataException($"bbolt: page {Meta.FreelistPage} is not a freelist");
            long count = page.Count;
            var at = BboltFormat.PageHeaderSize;
            if (count == BboltFormat.FreelistCountOverflow)
            {
                count = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(at, 8));
                at += 8;
            }
            if (count < 0 || at + count * 8 > length) throw new InvalidDataException($"bbolt: freelist of {count} ids does not fit its page");
            for (var i = 0; i < count; i++) free.Add(BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(at + 8 * i, 8)));
            return free;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// bbolt's consistency check (Tx.Check): every page below the high water mark is reachable
    /// exactly once or free, never both, and trees hold only branch and leaf pages. Returns the
    /// problems found (at most <paramref name="limit"/>); empty for a sound file.
    /// </summary>
    public List<string> Check(int limit = 100)
    {
        var problems = new List<string>();
        void Report(string problem)
        {
            if (problems.Count < limit) problems.Add(problem);
        }
        var freed = new HashSet<ulong>();
        foreach (var id in FreePages())
        {
            if (!freed.Add(id)) Report($"page {id}: already freed");
        }
        var reachable = new HashSet<ulong> { 0, 1 };
        if (Meta.FreelistPage != BboltFormat.NoFreelist)
        {
            var overflow = PageOverflow(Meta.FreelistPage);
            for (ulong i = 0; i <= overflow; i++) reachable.Add(Meta.FreelistPage + i);
        }
        var pages = new List<(ulong Id, uint Overflow)>();
        CollectPages(Root, pages, 0);
        foreach (var (id, overflow) in pages)
        {
            for (ulong i = 0; i <= overflow; i++)
            {
                if (!reachable.Add(id + i)) Report($"page {id + i}: multiple references");
            }
            if (freed.Contains(id)) Report($"page {id}: reachable freed");
        }
        // A file without a freelist (etcd's NoFreelistSync) has bbolt rebuild it on open as every
        // page the trees do not reach: unreachable pages are its free pages then, not a fault.
        if (Meta.FreelistPage == BboltFormat.NoFreelist) return problems;
        for (ulong id = 0; id < Meta.HighWaterMark; id++)
        {
            if (!reachable.Contains(id) && !freed.Contains(id)) Report($"page {id}: unreachable unfreed");
        }
        return problems;
    }

    private void CollectPages(BboltBucket bucket, List<(ulong, uint)> pages, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException("bbolt: buckets nested too deep");
        var children = new List<BboltBucket>();
        BboltVisitor collect = (_, value, isBucket) =>
        {
            if (isBucket) children.Add(BboltBucket.Parse(value));
            return true;
        };
        if (bucket.InlinePage is { } inline) VisitLeaf(new PageView(inline), collect, inlinePage: true);
        else Walk(bucket.RootPage, 0, collect, new HashSet<ulong>(), pages);
        foreach (var child in children) CollectPages(child, pages, depth + 1);
    }

    private bool Walk(ulong pageId, int depth, BboltVisitor visit, HashSet<ulong> visited, List<(ulong, uint)>? pages)
    {
        if (depth > MaxDepth) throw new InvalidDataException("bbolt: tree deeper than any real one (a cycle?)");
        if (!visited.Add(pageId)) throw new InvalidDataException($"bbolt: page {pageId} is referenced twice");
        var buffer = ReadPage(pageId, out var length);
        try
        {
            var page = new PageView(buffer.AsSpan(0, length));
            pages?.Add((pageId, page.Overflow));
            if (page.IsLeaf) return VisitLeaf(page, visit, inlinePage: false);
            if (!page.IsBranch) throw new InvalidDataException($"bbolt: page {pageId} is neither branch nor leaf (flags {page.Flags:x2})");
            for (var i = 0; i < page.Count; i++)
            {
                page.Branch(i, out _, out var child);
                if (!Walk(child, depth + 1, visit, visited, pages)) return false;
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool VisitLeaf(PageView page, BboltVisitor visit, bool inlinePage)
    {
        if (!page.IsLeaf) throw new InvalidDataException(inlinePage ? "bbolt: inline bucket page is not a leaf" : $"bbolt: page {page.Id} is not a leaf");
        for (var i = 0; i < page.Count; i++)
        {
            page.Leaf(i, out var flags, out var key, out var value);
            if (!visit(key, value, (flags & BboltFormat.BucketLeafFlag) != 0)) return false;
        }
        return true;
    }

    private uint PageOverflow(ulong pageId)
    {
        var buffer = ReadPage(pageId, out _);
        try
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads page <paramref name="pageId"/> and its overflow pages into a pooled buffer (return it to the pool).</summary>
    private byte[] ReadPage(ulong pageId, out int length)
    {
        if (pageId < 2 || pageId >= Meta.HighWaterMark) throw new InvalidDataException($"bbolt: page {pageId} is outside the database's {Meta.HighWaterMark} pages");
        var offset = (long)pageId * PageSize;
        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            ReadExactly(buffer.AsSpan(0, PageSize), offset);
            var page = new PageView(buffer.AsSpan(0, PageSize));
            if (page.Id != pageId) throw new InvalidDataException($"bbolt: page {pageId} claims to be page {page.Id}");
            var overflow = page.Overflow;
            if (overflow == 0)
            {
                length = PageSize;
                return buffer;
            }
            if (pageId + overflow >= Meta.HighWaterMark || (long)(overflow + 1) * PageSize > Array.MaxLength)
            {
                throw new InvalidDataException($"bbolt: page {pageId} overflows past the end of the database ({overflow} more pages)");
            }
            length = (int)((overflow + 1) * PageSize);
            var large = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, PageSize).CopyTo(large);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = large;
            ReadExactly(buffer.AsSpan(PageSize, length - PageSize), offset + PageSize);
            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private void ReadExactly(Span<byte> destination, long offset)
    {
        if (offset + destination.Length > _fileLength) throw new InvalidDataException("bbolt: file ends inside a page (truncated?)");
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(_file, destination, offset);
            if (read <= 0) throw new InvalidDataException("bbolt: file ends inside a page (truncated?)");
            destination = destination[read..];
            offset += read;
        }
    }

    public void Dispose() => _file.Dispose();
}
