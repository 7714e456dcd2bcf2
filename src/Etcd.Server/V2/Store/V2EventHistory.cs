namespace Etcd.Server.V2.Store;

/// <summary>
/// The last <see cref="Capacity"/> events in index order (etcd keeps 1000), so a watch may start
/// at an index in the past. Every v2 write takes exactly the next index, so the events here have
/// consecutive indexes and the one for index i sits at a fixed offset from the oldest.
/// </summary>
/// <remarks>Used under the store's lock.</remarks>
public sealed class V2EventHistory(int capacity)
{
    private readonly V2Event[] _ring = new V2Event[capacity];
    private int _front;
    private int _count;

    public int Capacity => _ring.Length;

    /// <summary>Index of the oldest event kept; indexes below it are answered "outdated and cleared".</summary>
    public ulong StartIndex { get; private set; }

    /// <summary>Index of the newest event; a watch from beyond it waits for new events.</summary>
    public ulong LastIndex { get; private set; }

    /// <summary>
    /// After a restart the store has no history (it is not persisted): events up to
    /// <paramref name="index"/> count as cleared, later ones as future.
    /// </summary>
    public void StartAfter(ulong index)
    {
        Array.Clear(_ring);
        _front = 0;
        _count = 0;
        StartIndex = index + 1;
        LastIndex = index;
    }

    public void Add(V2Event e)
    {
        var back = (_front + _count) % _ring.Length;
        _ring[back] = e;
        if (_count == _ring.Length) _front = (_front + 1) % _ring.Length;
        else _count++;
        LastIndex = e.Index;
        StartIndex = _ring[_front].Index;
    }

    /// <summary>
    /// The first event at or after <paramref name="index"/> that a watcher of <paramref name="key"/>
    /// would see, or null when none has happened yet.
    /// </summary>
    public V2Event? Scan(string key, bool recursive, ulong index, ulong storeIndex)
    {
        if (index < StartIndex)
            throw new V2Error(V2Error.EventIndexCleared, $"the requested history has been cleared [{StartIndex}/{index}]", storeIndex);
        if (index > LastIndex || _count == 0) return null;
        var prefix = recursive ? (key.EndsWith('/') ? key : key + "/") : null;
        for (var offset = (int)(index - StartIndex); offset < _count; offset++)
        {
            var e = _ring[(_front + offset) % _ring.Length];
            if (e.Refresh) continue;
            var nodeKey = e.Node!.Key;
            var matches = nodeKey == key || (prefix is not null && nodeKey.StartsWith(prefix, StringComparison.Ordinal));
            // A deleted or expired directory ends the watch of anything under it.
            if (e.Action is V2Event.Delete or V2Event.Expire && e.PrevNode is { Dir: true } prev)
                matches |= key.StartsWith(prev.Key, StringComparison.Ordinal);
            if (matches) return e;
        }
        return null;
    }
}
