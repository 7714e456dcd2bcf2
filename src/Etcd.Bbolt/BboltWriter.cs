using System.Buffers;

namespace Etcd.Bbolt;

/// <summary>
/// Writes a bbolt file in one pass from entries given in key order: buckets (nested to any
/// depth) and their keys, as bbolt itself would hold them after a compaction. Memory is one
/// node per tree level of the open buckets, whatever the file's size. Pages are written in
/// order from page 3; at <see cref="Finish"/> the two meta pages (0, 1) and an empty freelist
/// (page 2, every page being in use) are written in front, so the output must be seekable.
/// </summary>
public sealed class BboltWriter : IDisposable
{
    private const ulong FirstDataPage = 3;
    private const ulong FreelistPageId = 2;

    private readonly Stream _output;
    private readonly long _origin;
    private readonly Stack<BucketBuilder> _open = new();
    private ulong _nextPage = FirstDataPage;
    private bool _finished;

    public BboltWriter(Stream output, int pageSize = BboltFormat.DefaultPageSize)
    {
        if (!output.CanSeek || !output.CanWrite) throw new ArgumentException("bbolt: the output must be writable and seekable", nameof(output));
        if (!BboltFormat.IsValidPageSize(pageSize)) throw new ArgumentOutOfRangeException(nameof(pageSize), "a power of two from 512 to 65536");
        _output = output;
        _origin = output.Position;
        PageSize = pageSize;
        _output.Position = _origin + (long)FirstDataPage * pageSize;
        _open.Push(new BucketBuilder(this, [], isRoot: true));
    }

    public int PageSize { get; }

    /// <summary>Pages written so far (the high water mark once finished).</summary>
    public ulong Pages => _nextPage;

    /// <summary>Opens a bucket named <paramref name="name"/> inside the current one; its entries follow until <see cref="EndBucket"/>.</summary>
    public void BeginBucket(ReadOnlySpan<byte> name)
    {
        ThrowIfFinished();
        _open.Peek().Order(name);
        _open.Push(new BucketBuilder(this, name.ToArray(), isRoot: false));
    }

    /// <summary>Sets the open bucket's sequence (bbolt's NextSequence counter).</summary>
    public void SetSequence(ulong sequence) => _open.Peek().Sequence = sequence;

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfFinished();
        if (value.Length > BboltFormat.MaxValueSize) throw new ArgumentException("bbolt: value too large");
        var bucket = _open.Peek();
        bucket.Order(key);
        bucket.Add(key, value, 0);
    }

    public void EndBucket()
    {
        ThrowIfFinished();
        if (_open.Count == 1) throw new InvalidOperationException("bbolt: no bucket is open");
        using var child = _open.Pop();
        var value = child.Finish();
        _open.Peek().Add(child.Name, value, BboltFormat.BucketLeafFlag);
    }

    /// <summary>Closes the root bucket, writes the freelist and both meta pages; returns the database's size in bytes.</summary>
    public long Finish(ulong txId = 2)
    {
        ThrowIfFinished();
        if (_open.Count != 1) throw new InvalidOperationException("bbolt: a bucket is still open");
        if (txId == 0) throw new ArgumentOutOfRangeException(nameof(txId));
        using var root = _open.Pop();
        var header = root.Finish();
        var rootPage = BitConverter.ToUInt64(header, 0);
        _finished = true;
        var end = _output.Position;
        var page = new byte[PageSize];
        // Meta 0 holds the newer txid, meta 1 the one before: both describe the same tree.
        var meta = new BboltMeta((uint)PageSize, 0, rootPage, root.Sequence, FreelistPageId, _nextPage, txId);
        _output.Position = _origin;
        meta.WritePage(page, 0);
        _output.Write(page);
        Array.Clear(page);
        (meta with { TxId = txId - 1 }).WritePage(page, 1);
        _output.Write(page);
        Array.Clear(page);
        BitConverter.TryWriteBytes(page, FreelistPageId);
        BitConverter.TryWriteBytes(page.AsSpan(8), BboltFormat.FreelistPage);
        _output.Write(page);
        _output.Position = end;
        _output.Flush();
        return (long)_nextPage * PageSize;
    }

    /// <summary>Writes <paramref name="node"/> at the next free page; returns its page id.</summary>
    internal ulong WritePage(NodeLevel node)
    {
        var pageId = _nextPage;
        var pages = node.PagesFor(node.Size);
        var length = pages * PageSize;
        if (length > Array.MaxLength) throw new InvalidOperationException("bbolt: node larger than an array");
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var span = buffer.AsSpan(0, (int)length);
            span.Clear();
            node.WritePage(span, pageId);
            _output.Write(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _nextPage += (ulong)pages;
        return pageId;
    }

    private void ThrowIfFinished()
    {
        if (_finished) throw new InvalidOperationException("bbolt: the file is finished");
    }

    public void Dispose()
    {
        while (_open.Count > 0) _open.Pop().Dispose();
    }
}
