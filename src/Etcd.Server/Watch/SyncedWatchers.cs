namespace Etcd.Server.Watch;

/// <summary>
/// The watchers that are up to date, arranged for the question asked once per committed event:
/// who watches this key? Single-key watchers are found by hashing the key; range and from-key
/// watchers are tested one by one (there are few: a Kubernetes API server keeps one per resource).
/// </summary>
/// <remarks>Guarded by the hub's lock.</remarks>
internal sealed class SyncedWatchers
{
    private readonly Dictionary<byte[], List<Watcher>> _byKey = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], List<Watcher>>.AlternateLookup<ReadOnlySpan<byte>> _byKeySpan;
    private readonly List<Watcher> _ranges = [];

    public SyncedWatchers() => _byKeySpan = _byKey.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count { get; private set; }

    public void Add(Watcher watcher)
    {
        List<Watcher> list;
        if (watcher.IsSingleKey)
        {
            if (!_byKey.TryGetValue(watcher.Key, out list!))
            {
                list = [];
                _byKey.Add(watcher.Key, list);
            }
        }
        else
        {
            list = _ranges;
        }
        watcher.Slot = list.Count;
        list.Add(watcher);
        Count++;
    }

    public void Remove(Watcher watcher)
    {
        var list = watcher.IsSingleKey ? _byKey[watcher.Key] : _ranges;
        // Swap-remove: the last watcher takes the freed slot.
        var last = list[^1];
        list[watcher.Slot] = last;
        last.Slot = watcher.Slot;
        list.RemoveAt(list.Count - 1);
        watcher.Slot = -1;
        if (list.Count == 0 && watcher.IsSingleKey) _byKey.Remove(watcher.Key);
        Count--;
    }

    /// <summary>The watchers of exactly <paramref name="key"/>, or null.</summary>
    public List<Watcher>? OfKey(ReadOnlySpan<byte> key) => _byKeySpan.TryGetValue(key, out var list) ? list : null;

    /// <summary>Adds every watcher to <paramref name="into"/>.</summary>
    public void CopyTo(List<Watcher> into)
    {
        foreach (var list in _byKey.Values) into.AddRange(list);
        into.AddRange(_ranges);
    }

    /// <summary>Every range and from-key watcher (test each with <see cref="Watcher.Contains"/>).</summary>
    public List<Watcher> Ranges => _ranges;
}
