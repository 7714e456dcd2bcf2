using System.Buffers;
using System.Buffers.Binary;

namespace Etcd.Bbolt;

/// <summary>
/// One level of a tree being bulk-loaded from sorted input: the node under construction, written
/// out as a page (with overflow pages when one element is larger than a page) once the next
/// element would not fit. Holds at most one page's worth of elements, plus one oversized value.
/// </summary>
internal sealed class NodeLevel : IDisposable
{
    private readonly int _pageSize;
    private byte[] _data;
    private int _dataLength;
    private uint[] _flags;
    private int[] _keyLengths;
    private int[] _valueLengths;
    private ulong[] _children;

    public NodeLevel(bool isLeaf, int pageSize)
    {
        IsLeaf = isLeaf;
        _pageSize = pageSize;
        _data = ArrayPool<byte>.Shared.Rent(pageSize);
        var capacity = pageSize / BboltFormat.ElementSize + 1;
        _flags = new uint[capacity];
        _keyLengths = new int[capacity];
        _valueLengths = new int[capacity];
        _children = new ulong[capacity];
    }

    public bool IsLeaf { get; }

    public int Count { get; private set; }

    /// <summary>Pages this level has written so far.</summary>
    public int PagesWritten { get; set; }

    public bool HasBucketElement { get; private set; }

    /// <summary>The node's size as a page: header, elements, keys and values.</summary>
    public long Size => BboltFormat.PageHeaderSize + (long)Count * BboltFormat.ElementSize + _dataLength;

    public bool Fits(int keyLength, int valueLength) =>
        Count == 0 || (Size + BboltFormat.ElementSize + keyLength + valueLength <= _pageSize && Count < ushort.MaxValue);

    public ReadOnlySpan<byte> FirstKey => _data.AsSpan(0, Count == 0 ? 0 : _keyLengths[0]);

    public ulong OnlyChild => _children[0];

    public void AddLeaf(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, uint flags)
    {
        Append(key, value);
        _flags[Count] = flags;
        _keyLengths[Count] = key.Length;
        _valueLengths[Count] = value.Length;
        if ((flags & BboltFormat.BucketLeafFlag) != 0) HasBucketElement = true;
        Count++;
    }

    public void AddBranch(ReadOnlySpan<byte> key, ulong child)
    {
        Append(key, []);
        _keyLengths[Count] = key.Length;
        _valueLengths[Count] = 0;
        _children[Count] = child;
        Count++;
    }

    /// <summary>Lays the node out as page <paramref name="pageId"/> into <paramref name="page"/> (zeroed, a whole number of pages long).</summary>
    public void WritePage(Span<byte> page, ulong pageId, bool inline = false)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(page, inline ? 0 : pageId);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], IsLeaf ? BboltFormat.LeafPage : BboltFormat.BranchPage);
        BinaryPrimitives.WriteUInt16LittleEndian(page[10..], (ushort)Count);
        BinaryPrimitives.WriteUInt32LittleEndian(page[12..], inline ? 0 : (uint)(PagesFor(Size) - 1));
        var dataStart = BboltFormat.PageHeaderSize + Count * BboltFormat.ElementSize;
        _data.AsSpan(0, _dataLength).CopyTo(page[dataStart..]);
        var at = dataStart;
        for (var i = 0; i < Count; i++)
        {
            var element = page[(BboltFormat.PageHeaderSize + i * BboltFormat.ElementSize)..];
            var pos = (uint)(at - (BboltFormat.PageHeaderSize + i * BboltFormat.ElementSize));
            if (IsLeaf)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(element, _flags[i]);
                BinaryPrimitives.WriteUInt32LittleEndian(element[4..], pos);
                BinaryPrimitives.WriteUInt32LittleEndian(element[8..], (uint)_keyLengths[i]);
                BinaryPrimitives.WriteUInt32LittleEndian(element[12..], (uint)_valueLengths[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(element, pos);
                BinaryPrimitives.WriteUInt32LittleEndian(element[4..], (uint)_keyLengths[i]);
                BinaryPrimitives.WriteUInt64LittleEndian(element[8..], _children[i]);
            }
            at += _keyLengths[i] + _valueLengths[i];
        }
    }

    public long PagesFor(long size) => (size + _pageSize - 1) / _pageSize;

    public void Clear()
    {
        Count = 0;
        _dataLength = 0;
        HasBucketElement = false;
        if (_data.Length > 4 * _pageSize)
        {
            // An oversized value came through: do not keep its buffer for the rest of the load.
            ArrayPool<byte>.Shared.Return(_data);
            _data = ArrayPool<byte>.Shared.Rent(_pageSize);
        }
    }

    private void Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (Count == _flags.Length)
        {
            Array.Resize(ref _flags, Count * 2);
            Array.Resize(ref _keyLengths, Count * 2);
            Array.Resize(ref _valueLengths, Count * 2);
            Array.Resize(ref _children, Count * 2);
        }
        var needed = (long)_dataLength + key.Length + value.Length;
        if (needed > Array.MaxLength) throw new InvalidOperationException("bbolt: node larger than an array");
        if (needed > _data.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _data.Length)));
            _data.AsSpan(0, _dataLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = larger;
        }
        key.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += key.Length;
        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
    }

    public void Dispose()
    {
        if (_data.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_data);
        _data = [];
    }
}
