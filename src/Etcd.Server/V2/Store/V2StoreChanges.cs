namespace Etcd.Server.V2.Store;

/// <summary>
/// The nodes the store's writes changed since the apply loop last took them: a node to save
/// (its state when taken) or a path to delete, in order. Filled and drained on the apply loop.
/// </summary>
public sealed class V2StoreChanges
{
    private readonly List<(string Path, V2Node? Node)> _changes = [];

    public int Count => _changes.Count;

    internal void Saved(V2Node node) => _changes.Add((node.Path, node));

    internal void Deleted(string path) => _changes.Add((path, null));

    /// <summary>Hands each change to <paramref name="visit"/> in order and forgets them.</summary>
    public void Drain(Action<string, V2Node?> visit)
    {
        foreach (var (path, node) in _changes) visit(path, node);
        _changes.Clear();
    }

    public void Clear() => _changes.Clear();
}
