namespace Etcd.Server.V2.Store;

/// <summary>
/// A node as answered to clients (etcd's NodeExtern), copied out of the tree when the event is
/// made, so later changes to the tree do not show through it. Fields that are null, zero or
/// empty are left out of the JSON.
/// </summary>
public sealed class V2NodeView
{
    public required string Key { get; init; }
    public string? Value { get; set; }
    public bool Dir { get; set; }

    /// <summary>Expiry in Unix nanoseconds, or null for a permanent node.</summary>
    public long? ExpirationNanos { get; set; }

    /// <summary>Whole seconds left (rounded up) when the view was made; 0 for a permanent node.</summary>
    public long Ttl { get; set; }

    public List<V2NodeView>? Nodes { get; set; }
    public ulong ModifiedIndex { get; set; }
    public ulong CreatedIndex { get; set; }

    /// <summary>The node's expiry and seconds left at <paramref name="nowNanos"/> (etcd rounds up).</summary>
    public void SetExpiry(V2Node node, long nowNanos)
    {
        if (node.IsPermanent) return;
        ExpirationNanos = node.ExpireNanos;
        var left = node.ExpireNanos - nowNanos;
        Ttl = left / 1_000_000_000 + (left % 1_000_000_000 > 0 ? 1 : 0);
    }

    /// <summary>The node alone, or with its (non-hidden) children down the tree when <paramref name="recursive"/>.</summary>
    public static V2NodeView Of(V2Node node, bool recursive, bool sorted, long nowNanos)
    {
        var view = new V2NodeView { Key = node.Path, ModifiedIndex = node.ModifiedIndex, CreatedIndex = node.CreatedIndex };
        if (node.IsDir)
        {
            view.Dir = true;
            if (recursive) view.Nodes = Children(node, recursive, sorted, nowNanos);
        }
        else
        {
            view.Value = node.Value;
        }
        view.SetExpiry(node, nowNanos);
        return view;
    }

    /// <summary>What a get answers for the node: a directory lists its children, one level unless recursive.</summary>
    public static V2NodeView ForGet(V2Node node, bool recursive, bool sorted, long nowNanos)
    {
        var view = new V2NodeView { Key = node.Path, ModifiedIndex = node.ModifiedIndex, CreatedIndex = node.CreatedIndex };
        if (node.IsDir)
        {
            view.Dir = true;
            view.Nodes = Children(node, recursive, sorted, nowNanos);
        }
        else
        {
            view.Value = node.Value;
        }
        view.SetExpiry(node, nowNanos);
        return view;
    }

    private static List<V2NodeView> Children(V2Node dir, bool recursive, bool sorted, long nowNanos)
    {
        var list = new List<V2NodeView>(dir.Children!.Count);
        foreach (var child in dir.Children.Values)
        {
            if (!child.IsHidden) list.Add(Of(child, recursive, sorted, nowNanos));
        }
        if (sorted) list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }
}
