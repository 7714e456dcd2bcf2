namespace Etcd.Server.V2.Store;

/// <summary>
/// One node of the v2 tree: a key with a value, or a directory with children. Changed only by
/// <see cref="V2Store"/> under its lock.
/// </summary>
public sealed class V2Node
{
    private V2Node(string path, ulong createdIndex, V2Node? parent, long expireNanos, string value, Dictionary<string, V2Node>? children)
    {
        Path = path;
        CreatedIndex = createdIndex;
        ModifiedIndex = createdIndex;
        Parent = parent;
        ExpireNanos = expireNanos;
        Value = value;
        Children = children;
    }

    public static V2Node Key(string path, string value, ulong createdIndex, V2Node? parent, long expireNanos) =>
        new(path, createdIndex, parent, expireNanos, value, null);

    public static V2Node Dir(string path, ulong createdIndex, V2Node? parent, long expireNanos) =>
        new(path, createdIndex, parent, expireNanos, "", new Dictionary<string, V2Node>(StringComparer.Ordinal));

    public string Path { get; }
    public ulong CreatedIndex { get; internal set; }
    public ulong ModifiedIndex { get; internal set; }
    public V2Node? Parent { get; internal set; }

    /// <summary>When the node expires, in Unix nanoseconds (as etcd's requests carry it); 0 for never.</summary>
    public long ExpireNanos { get; internal set; }

    public string Value { get; internal set; }

    /// <summary>The children by name; null for a key.</summary>
    public Dictionary<string, V2Node>? Children { get; }

    /// <summary>Orders nodes with the same expiry in the TTL queue.</summary>
    internal long Sequence { get; set; }

    public bool IsDir => Children is not null;
    public bool IsPermanent => ExpireNanos == 0;

    /// <summary>Hidden nodes (names starting with '_') are left out of listings and recursive watches.</summary>
    public bool IsHidden => GoPath.Name(Path) is ['_', ..];

    public string Name => GoPath.Name(Path);
}
