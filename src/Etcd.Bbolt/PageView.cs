using System.Buffers.Binary;

namespace Etcd.Bbolt;

/// <summary>
/// One page's bytes (its overflow pages included) read as a branch or leaf node. Every offset is
/// checked against the page's bytes before use: a corrupt file gives an <see cref="InvalidDataException"/>, never a read outside them.
/// </summary>
internal readonly ref struct PageView
{
    private readonly ReadOnlySpan<byte> _bytes;

    public PageView(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < BboltFormat.PageHeaderSize) throw new InvalidDataException("bbolt: page shorter than its header");
        _bytes = bytes;
    }

    public ulong Id => BinaryPrimitives.ReadUInt64LittleEndian(_bytes);

    public ushort Flags => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[8..]);

    public int Count => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[10..]);

    public uint Overflow => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[12..]);

    public bool IsLeaf => (Flags & BboltFormat.LeafPage) != 0;

    public bool IsBranch => (Flags & BboltFormat.BranchPage) != 0;

    public void Leaf(int index, out uint flags, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var element = Element(index);
        flags = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[element..]);
        var pos = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[(element + 4)..]);
        var keySize = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[(element + 8)..]);
        var valueSize = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[(element + 12)..]);
        var start = element + (long)pos;
        if (start + keySize + valueSize > _bytes.Length)
        {
            throw new InvalidDataException($"bbolt: leaf element {index} of page {Id} points past the page");
        }
        key = _bytes.Slice((int)start, (int)keySize);
        value = _bytes.Slice((int)(start + keySize), (int)valueSize);
    }

    public void Branch(int index, out ReadOnlySpan<byte> key, out ulong child)
    {
        var element = Element(index);
        var pos = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[element..]);
        var keySize = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[(element + 4)..]);
        child = BinaryPrimitives.ReadUInt64LittleEndian(_bytes[(element + 8)..]);
        var start = element + (long)pos;
        if (start + keySize > _bytes.Length)
        {
            throw new InvalidDataException($"bbolt: branch element {index} of page {Id} points past the page");
        }
        key = _bytes.Slice((int)start, (int)keySize);
    }

    private int Element(int index)
    {
        var offset = BboltFormat.PageHeaderSize + (long)index * BboltFormat.ElementSize;
        if (index < 0 || index >= Count || offset + BboltFormat.ElementSize > _bytes.Length)
        {
            throw new InvalidDataException($"bbolt: page {Id} has no room for element {index}");
        }
        return (int)offset;
    }
}
