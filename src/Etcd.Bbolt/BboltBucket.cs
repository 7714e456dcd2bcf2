using System.Buffers.Binary;

namespace Etcd.Bbolt;

/// <summary>
/// Where a bucket's entries are: the root page of its own tree, or (an inline bucket, root 0) the
/// leaf page stored in its parent's value.
/// </summary>
public readonly struct BboltBucket
{
    private BboltBucket(ulong rootPage, ulong sequence, byte[]? inlinePage)
    {
        RootPage = rootPage;
        Sequence = sequence;
        InlinePage = inlinePage;
    }

    public ulong RootPage { get; }

    public ulong Sequence { get; }

    /// <summary>The inline bucket's leaf page, or null for a bucket with a tree of its own.</summary>
    public byte[]? InlinePage { get; }

    public bool IsInline => RootPage == 0;

    public static BboltBucket Root(BboltMeta meta) => new(meta.RootPage, meta.RootSequence, null);

    /// <summary>The bucket a nested-bucket value describes; throws <see cref="InvalidDataException"/> for a malformed one.</summary>
    public static BboltBucket Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length < BboltFormat.BucketHeaderSize) throw new InvalidDataException("bbolt: bucket value shorter than a bucket header");
        var root = BinaryPrimitives.ReadUInt64LittleEndian(value);
        var sequence = BinaryPrimitives.ReadUInt64LittleEndian(value[8..]);
        if (root != 0) return new BboltBucket(root, sequence, null);
        var page = value[BboltFormat.BucketHeaderSize..];
        if (page.Length < BboltFormat.PageHeaderSize) throw new InvalidDataException("bbolt: inline bucket without its page");
        return new BboltBucket(0, sequence, page.ToArray());
    }
}
