namespace Etcd.Server.V2.Store;

/// <summary>
/// etcd's v2 key tree. Every successful write takes the next store index (the v2 index, which
/// is not the Raft index: only v2 writes, member changes and expiries advance it). Writes are
/// called by the apply loop only, in log order, so every member's tree is the same; reads and
/// watches come from client requests. One lock guards the tree, the TTL queue and the hub.
/// </summary>
/// <remarks>
/// The nodes a write changed are listed in <see cref="Changes"/> for the apply loop to persist
/// in the same backend batch as the applied index (see V2StoreBucket).
/// </remarks>
public sealed partial class V2Store
{
    /// <summary>Expiry times before 2000-01-01 mean "no TTL" (etcd's guard against zero times from JSON).</summary>
    private const long MinExpireNanos = 946_684_800L * 1_000_000_000;

    public const int HistoryCapacity = 1000;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly HashSet<string> _readOnly;
    private readonly string[] _namespaces;
    private V2Node _root;
    private readonly V2TtlQueue _ttl = new();

    /// <summary>A store with the given top-level directories (etcd makes "/0" for members and "/1" for keys).</summary>
    public V2Store(TimeProvider time, params string[] namespaces)
    {
        _time = time;
        _namespaces = namespaces;
        _readOnly = new HashSet<string>(namespaces, StringComparer.Ordinal) { "/" };
        _root = NewRoot();
    }

    public V2WatcherHub Hub { get; } = new(HistoryCapacity);
    public V2StoreStats Stats { get; } = new();
    public V2StoreChanges Changes { get; } = new();

    private ulong _index;

    /// <summary>The store index: the index of the last write.</summary>
    public ulong Index
    {
        get
        {
            lock (_lock) return _index;
        }
    }

    public bool HasTtlKeys
    {
        get
        {
            lock (_lock) return _ttl.Count > 0;
        }
    }

    /// <summary>Now in Unix nanoseconds, the unit of expiry times.</summary>
    public long NowNanos => (_time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    public V2Event Get(string nodePath, bool recursive, bool sorted)
    {
        lock (_lock)
        {
            try
            {
                var node = Find(nodePath);
                var e = new V2Event(V2Event.Get, V2NodeView.ForGet(node, recursive, sorted, NowNanos)) { EtcdIndex = _index };
                Stats.Increment(V2StoreStats.Counter.GetSuccess);
                return e;
            }
            catch (V2Error)
            {
                Stats.Increment(V2StoreStats.Counter.GetFail);
                throw;
            }
        }
    }

    /// <summary>A watch of <paramref name="key"/> from <paramref name="sinceIndex"/> (0: from the next write).</summary>
    public V2Watcher Watch(string key, bool recursive, bool stream, ulong sinceIndex)
    {
        lock (_lock)
        {
            key = GoPath.CleanRooted(key);
            if (sinceIndex == 0) sinceIndex = _index + 1;
            return Hub.Watch(key, recursive, stream, sinceIndex, _index);
        }
    }

    /// <summary>Nodes below <paramref name="nodePath"/> for internal readers (the member records), or null.</summary>
    public V2NodeView? TryGet(string nodePath, bool recursive)
    {
        lock (_lock)
        {
            try
            {
                return V2NodeView.ForGet(Find(nodePath), recursive, sorted: true, NowNanos);
            }
            catch (V2Error)
            {
                return null;
            }
        }
    }

    private V2Node NewRoot()
    {
        var root = V2Node.Dir("/", 0, null, 0);
        foreach (var ns in _namespaces) root.Children![GoPath.Name(ns)] = V2Node.Dir(ns, 0, root, 0);
        return root;
    }

    /// <summary>The node at the path, or etcd's error: Key not found, or Not a directory for a key on the way.</summary>
    private V2Node Find(string nodePath)
    {
        var path = GoPath.CleanRooted(nodePath);
        var current = _root;
        if (path.Length == 1) return current;
        var start = 1;
        while (start < path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0) end = path.Length;
            if (!current.IsDir) throw new V2Error(V2Error.NotDir, current.Path, _index);
            var name = path[start..end];
            if (!current.Children!.TryGetValue(name, out var child))
                throw new V2Error(V2Error.KeyNotFound, current.Path == "/" ? "/" + name : current.Path + "/" + name, _index);
            current = child;
            start = end + 1;
        }
        return current;
    }

    private static long NormalizeExpiry(long expireNanos) => expireNanos < MinExpireNanos ? 0 : expireNanos;

    private void SetExpiry(V2Node node, long expireNanos)
    {
        if (!node.IsPermanent) _ttl.Remove(node);
        node.ExpireNanos = expireNanos;
        if (!node.IsPermanent) _ttl.Add(node);
    }

    private void ThrowIfReadOnly(string cleanPath, bool countedAsSuccess = true)
    {
        if (_readOnly.Contains(cleanPath)) throw new V2Error(V2Error.RootReadOnly, "/", _index) { CountedAsSuccess = countedAsSuccess };
    }
}
