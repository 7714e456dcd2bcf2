using System.Buffers.Binary;

namespace Etcd.Bbolt;

/// <summary>
/// One bucket being written: its entries arrive in key order and fill the leaf level; each full
/// node becomes a page and hands its first key and page id to the level above (created when
/// needed), so the tree is built bottom-up in one pass. A bucket that ends small (at most a
/// quarter page, no nested buckets, never spilled a page) is stored inline in its parent, as
/// bbolt stores it.
/// </summary>
internal sealed class BucketBuilder(BboltWriter writer, byte[] name, bool isRoot) : IDisposable
{
    private readonly List<NodeLevel> _levels = [new NodeLevel(isLeaf: true, writer.PageSize)];
    private byte[] _lastKey = new byte[64];
    private int _lastKeyLength = -1;

    public byte[] Name { get; } = name;

    public ulong Sequence { get; set; }

    /// <summary>Checks that <paramref name="key"/> comes after every key so far and remembers it.</summary>
    public void Order(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty) throw new ArgumentException("bbolt: keys must not be empty");
        if (key.Length > BboltFormat.MaxKeySize) throw new ArgumentException($"bbolt: key of {key.Length} bytes is larger than {BboltFormat.MaxKeySize}");
        if (_lastKeyLength >= 0 && key.SequenceCompareTo(_lastKey.AsSpan(0, _lastKeyLength)) <= 0)
        {
            throw new ArgumentException("bbolt: keys must be added in strictly increasing order");
        }
        if (_lastKey.Length < key.Length) _lastKey = new byte[key.Length];
        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
    }

    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, uint flags)
    {
        var leaf = _levels[0];
        if (!leaf.Fits(key.Length, value.Length)) Spill(0);
        leaf.AddLeaf(key, value, flags);
    }

    /// <summary>Writes what is left and returns the value the parent stores for this bucket (for the root: header with its root page).</summary>
    public byte[] Finish()
    {
        var leaf = _levels[0];
        var inlineLimit = writer.PageSize / 4;
        if (!isRoot && _levels.Count == 1 && leaf.PagesWritten == 0 && !leaf.HasBucketElement && leaf.Size <= inlineLimit)
        {
            var value = new byte[BboltFormat.BucketHeaderSize + leaf.Size];
            BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8), Sequence);
            leaf.WritePage(value.AsSpan(BboltFormat.BucketHeaderSize), 0, inline: true);
            return value;
        }
        ulong root = 0;
        for (var level = 0; ; level++)
        {
            var node = _levels[level];
            var isTop = level == _levels.Count - 1;
            if (isTop && node.PagesWritten == 0)
            {
                if (!node.IsLeaf && node.Count == 1)
                {
                    // The level below wrote one page only: that page is the root.
                    root = node.OnlyChild;
                    break;
                }
                root = WriteNode(node);
                break;
            }
            if (node.Count > 0) Spill(level);
        }
        var header = new byte[BboltFormat.BucketHeaderSize];
        BinaryPrimitives.WriteUInt64LittleEndian(header, root);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), Sequence);
        return header;
    }

    /// <summary>Writes level <paramref name="level"/>'s node as a page and records it in the level above.</summary>
    private void Spill(int level)
    {
        var node = _levels[level];
        var firstKey = node.FirstKey.ToArray();
        var pageId = WriteNode(node);
        if (level + 1 == _levels.Count) _levels.Add(new NodeLevel(isLeaf: false, writer.PageSize));
        var parent = _levels[level + 1];
        if (!parent.Fits(firstKey.Length, 0)) Spill(level + 1);
        parent.AddBranch(firstKey, pageId);
    }

    private ulong WriteNode(NodeLevel node)
    {
        var pageId = writer.WritePage(node);
        node.PagesWritten++;
        node.Clear();
        return pageId;
    }

    public void Dispose()
    {
        foreach (var level in _levels) level.Dispose();
    }
}
