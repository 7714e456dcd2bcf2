namespace Etcd.Server.V2.Store;

/// <summary>Rebuilding the tree from saved nodes (restart, or a backend that came with a leader's snapshot).</summary>
public sealed partial class V2Store
{
    /// <summary>
    /// Replaces the tree with <paramref name="nodes"/> (parents before children) at store index
    /// <paramref name="index"/>. The event history is not saved, so it restarts empty: a watch
    /// from an earlier index is answered "outdated and cleared". Watchers of the old tree stay
    /// registered and see the writes that follow.
    /// </summary>
    public void Restore(IEnumerable<V2NodeRecord> nodes, ulong index)
    {
        lock (_lock)
        {
            _root = NewRoot();
            _ttl.Clear();
            Changes.Clear();
            foreach (var record in nodes)
            {
                var slash = record.Path.LastIndexOf('/');
                if (slash < 0 || record.Path.Length == 1) continue;
                var parent = FindOrMakeDir(record.Path[..slash]);
                var name = record.Path[(slash + 1)..];
                var node = parent.Children!.TryGetValue(name, out var existing) && existing.IsDir && record.IsDir
                    ? existing
                    : record.IsDir ? V2Node.Dir(record.Path, record.CreatedIndex, parent, 0) : V2Node.Key(record.Path, record.Value, record.CreatedIndex, parent, 0);
                node.CreatedIndex = record.CreatedIndex;
                node.ModifiedIndex = record.ModifiedIndex;
                node.Value = record.Value;
                node.ExpireNanos = record.ExpireNanos;
                parent.Children[name] = node;
                if (!node.IsPermanent) _ttl.Add(node);
            }
            _index = index;
            Hub.History.StartAfter(index);
        }
    }

    /// <summary>Every node but the root and the namespaces, parents first, as saved.</summary>
    public List<V2NodeRecord> Records()
    {
        lock (_lock)
        {
            var records = new List<V2NodeRecord>();
            var pending = new Stack<V2Node>();
            pending.Push(_root);
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (node.Parent is not null) records.Add(V2NodeRecord.Of(node));
                if (node.IsDir) foreach (var child in node.Children!.Values) pending.Push(child);
            }
            return records;
        }
    }

    private V2Node FindOrMakeDir(string dirPath)
    {
        var current = _root;
        var start = 1;
        while (start < dirPath.Length)
        {
            var end = dirPath.IndexOf('/', start);
            if (end < 0) end = dirPath.Length;
            var name = dirPath[start..end];
            if (!current.Children!.TryGetValue(name, out var child) || !child.IsDir)
            {
                child = V2Node.Dir(dirPath[..end], 0, current, 0);
                current.Children[name] = child;
            }
            current = child;
            start = end + 1;
        }
        return current;
    }
}
