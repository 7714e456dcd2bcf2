namespace Etcd.Server.V2.Store;

/// <summary>
/// The watchers by the key they watch. An event is offered to the watchers of its key and of
/// every directory above it; a removed node's own watchers get its deletion too.
/// </summary>
/// <remarks>Changed under the store's lock, except <see cref="Detach"/>, which also takes its own.</remarks>
public sealed class V2WatcherHub(int historyCapacity)
{
    private readonly Dictionary<string, List<V2Watcher>> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _count;

    public V2EventHistory History { get; } = new(historyCapacity);

    public long Count => Interlocked.Read(ref _count);

    public V2Watcher Watch(string key, bool recursive, bool stream, ulong sinceIndex, ulong storeIndex)
    {
        var past = History.Scan(key, recursive, sinceIndex, storeIndex);
        var watcher = new V2Watcher(this, key, recursive, stream, sinceIndex, storeIndex);
        if (past is not null)
        {
            // Answered from the history at once; such a watcher never joins the hub.
            watcher.Removed = true;
            watcher.Deliver(past.WithEtcdIndex(storeIndex));
            return watcher;
        }
        lock (_lock)
        {
            if (!_watchers.TryGetValue(key, out var list)) _watchers[key] = list = [];
            list.Add(watcher);
            _count++;
        }
        return watcher;
    }

    /// <summary>Records the event in the history and offers it to the watchers of its key and the directories above.</summary>
    public void Notify(V2Event e)
    {
        History.Add(e);
        var key = e.Node!.Key;
        NotifyWatchers(e, "/", deleted: false);
        for (var slash = key.IndexOf('/', 1); ; slash = key.IndexOf('/', slash + 1))
        {
            if (slash < 0)
            {
                if (key.Length > 1) NotifyWatchers(e, key, deleted: false);
                break;
            }
            NotifyWatchers(e, key[..slash], deleted: false);
        }
    }

    public void NotifyWatchers(V2Event e, string path, bool deleted)
    {
        lock (_lock)
        {
            if (!_watchers.TryGetValue(path, out var list)) return;
            var originalPath = e.Node!.Key == path;
            // Removing while walking: copy first (lists are short; one per watched key).
            foreach (var watcher in list.ToArray())
            {
                if (watcher.Removed) continue;
                if ((originalPath || !IsHiddenBelow(path, e.Node.Key)) && watcher.Offer(e, originalPath, deleted) && !watcher.Stream)
                    DetachLocked(watcher);
            }
        }
    }

    internal void Detach(V2Watcher watcher)
    {
        lock (_lock) DetachLocked(watcher);
    }

    private void DetachLocked(V2Watcher watcher)
    {
        if (watcher.Removed) return;
        watcher.Removed = true;
        if (_watchers.TryGetValue(watcher.Key, out var list))
        {
            list.Remove(watcher);
            if (list.Count == 0) _watchers.Remove(watcher.Key);
        }
        _count--;
    }

    // A key under a hidden node ("/a/_b/c" seen from "/a") is not shown to recursive watchers above it.
    private static bool IsHiddenBelow(string watchPath, string keyPath)
    {
        if (watchPath.Length > keyPath.Length) return false;
        var after = GoPath.CleanRooted("/" + keyPath[watchPath.Length..]);
        return after.Contains("/_", StringComparison.Ordinal);
    }
}
