namespace Etcd.Server.V2.Store;

/// <summary>The nodes that expire, soonest first (etcd's TTL key heap), so a SYNC removes the expired ones without a scan.</summary>
/// <remarks>Used under the store's lock. A node's expiry may change only while it is out of the queue.</remarks>
public sealed class V2TtlQueue
{
    private readonly SortedSet<V2Node> _nodes = new(Comparer<V2Node>.Create(static (a, b) =>
    {
        var byTime = a.ExpireNanos.CompareTo(b.ExpireNanos);
        return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
    }));
    private long _sequence;

    public int Count => _nodes.Count;

    public V2Node? First => _nodes.Count == 0 ? null : _nodes.Min;

    public void Add(V2Node node)
    {
        node.Sequence = ++_sequence;
        _nodes.Add(node);
    }

    public void Remove(V2Node node) => _nodes.Remove(node);

    public void Clear() => _nodes.Clear();
}
