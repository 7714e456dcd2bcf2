using System.Globalization;
using static Etcd.Server.V2.Store.V2StoreStats;

namespace Etcd.Server.V2.Store;

/// <summary>The write operations, each etcd's: what it checks, in which order, and which index it takes.</summary>
public sealed partial class V2Store
{
    /// <summary>Creates a node; with <paramref name="unique"/>, a new key under the path named by the next index (in-order keys).</summary>
    public V2Event Create(string nodePath, bool dir, string value, bool unique, long expireNanos) =>
        Counted(Counter.CreateSuccess, Counter.CreateFail, () =>
        {
            var e = CreateNode(nodePath, dir, value, unique, replace: false, expireNanos, V2Event.Create);
            Hub.Notify(e);
            return e;
        });

    /// <summary>Creates or replaces a key (never a directory); a refresh keeps the value and only renews the TTL.</summary>
    public V2Event Set(string nodePath, bool dir, string value, long expireNanos, bool refresh) =>
        Counted(Counter.SetSuccess, Counter.SetFail, () =>
        {
            V2Node? previous = null;
            V2Error? missing = null;
            try
            {
                previous = Find(nodePath);
            }
            catch (V2Error notFound) when (notFound.Code == V2Error.KeyNotFound)
            {
                missing = notFound;
            }
            if (refresh)
            {
                if (missing is not null) throw missing;
                value = previous!.Value;
            }
            var now = NowNanos;
            var prevView = previous is null ? null : V2NodeView.Of(previous, recursive: false, sorted: false, now);
            var created = CreateNode(nodePath, dir, value, unique: false, replace: true, expireNanos, V2Event.Set);
            var e = new V2Event(created.Action, created.Node) { PrevNode = prevView ?? created.PrevNode, Refresh = refresh, EtcdIndex = _index };
            Publish(e, refresh);
            return e;
        });

    /// <summary>Changes an existing node: a key's value and TTL, or only a directory's TTL.</summary>
    public V2Event Update(string nodePath, string newValue, long expireNanos, bool refresh) =>
        Counted(Counter.UpdateSuccess, Counter.UpdateFail, () =>
        {
            var path = GoPath.CleanRooted(nodePath);
            ThrowIfReadOnly(path);
            var next = _index + 1;
            var node = Find(path);
            if (node.IsDir && newValue.Length != 0) throw new V2Error(V2Error.NotFile, path, _index) { CountedAsSuccess = true };
            if (refresh) newValue = node.Value;
            var now = NowNanos;
            var prev = V2NodeView.Of(node, recursive: false, sorted: false, now);
            var view = new V2NodeView { Key = path, ModifiedIndex = next, CreatedIndex = node.CreatedIndex };
            // etcd writes only keys: a directory keeps its modifiedIndex although the event carries the new one.
            if (node.IsDir)
            {
                view.Dir = true;
            }
            else
            {
                node.Value = newValue;
                node.ModifiedIndex = next;
                view.Value = newValue;
            }
            SetExpiry(node, NormalizeExpiry(expireNanos));
            view.SetExpiry(node, now);
            Changes.Saved(node);
            _index = next;
            var e = new V2Event(V2Event.Update, view) { PrevNode = prev, Refresh = refresh, EtcdIndex = next };
            Publish(e, refresh);
            return e;
        });

    /// <summary>Swaps a key's value if its value and/or modifiedIndex are the given ones (each checked only when given).</summary>
    public V2Event CompareAndSwap(string nodePath, string prevValue, ulong prevIndex, string value, long expireNanos, bool refresh) =>
        Counted(Counter.CompareAndSwapSuccess, Counter.CompareAndSwapFail, () =>
        {
            var path = GoPath.CleanRooted(nodePath);
            ThrowIfReadOnly(path);
            var node = Find(path);
            if (node.IsDir) throw new V2Error(V2Error.NotFile, path, _index);
            ThrowIfCompareFails(node, prevValue, prevIndex);
            if (refresh) value = node.Value;
            var now = NowNanos;
            _index++;
            var prev = V2NodeView.Of(node, recursive: false, sorted: false, now);
            node.Value = value;
            node.ModifiedIndex = _index;
            SetExpiry(node, NormalizeExpiry(expireNanos));
            var view = new V2NodeView { Key = path, Value = value, ModifiedIndex = _index, CreatedIndex = node.CreatedIndex };
            view.SetExpiry(node, now);
            Changes.Saved(node);
            var e = new V2Event(V2Event.CompareAndSwap, view) { PrevNode = prev, Refresh = refresh, EtcdIndex = _index };
            Publish(e, refresh);
            return e;
        });

    /// <summary>Deletes a key, an empty directory (with <paramref name="dir"/>), or a whole subtree (with <paramref name="recursive"/>).</summary>
    public V2Event Delete(string nodePath, bool dir, bool recursive) =>
        Counted(Counter.DeleteSuccess, Counter.DeleteFail, () =>
        {
            var path = GoPath.CleanRooted(nodePath);
            ThrowIfReadOnly(path);
            if (recursive) dir = true;
            var node = Find(path);
            var next = _index + 1;
            var view = new V2NodeView { Key = path, ModifiedIndex = next, CreatedIndex = node.CreatedIndex, Dir = node.IsDir };
            var e = new V2Event(V2Event.Delete, view) { PrevNode = V2NodeView.Of(node, recursive: false, sorted: false, NowNanos), EtcdIndex = next };
            Remove(node, dir, recursive, e);
            _index = next;
            Hub.Notify(e);
            return e;
        });

    /// <summary>Deletes a key if its value and/or modifiedIndex are the given ones.</summary>
    public V2Event CompareAndDelete(string nodePath, string prevValue, ulong prevIndex) =>
        Counted(Counter.CompareAndDeleteSuccess, Counter.CompareAndDeleteFail, () =>
        {
            var path = GoPath.CleanRooted(nodePath);
            var node = Find(path);
            if (node.IsDir) throw new V2Error(V2Error.NotFile, path, _index) { CountedAsSuccess = true };
            ThrowIfCompareFails(node, prevValue, prevIndex, countedAsSuccess: true);
            _index++;
            var view = new V2NodeView { Key = path, ModifiedIndex = _index, CreatedIndex = node.CreatedIndex };
            var e = new V2Event(V2Event.CompareAndDelete, view) { PrevNode = V2NodeView.Of(node, recursive: false, sorted: false, NowNanos), EtcdIndex = _index };
            Remove(node, dir: false, recursive: false, e);
            Hub.Notify(e);
            return e;
        });

    /// <summary>
    /// Removes every node that expired by <paramref name="cutoffNanos"/>, each as its own event
    /// with its own index. Called when a SYNC entry is applied, with the leader's clock in the
    /// entry, so every member expires the same nodes at the same index.
    /// </summary>
    public void DeleteExpiredKeys(long cutoffNanos)
    {
        lock (_lock)
        {
            while (_ttl.First is { } node && node.ExpireNanos <= cutoffNanos)
            {
                _index++;
                var view = new V2NodeView { Key = node.Path, ModifiedIndex = _index, CreatedIndex = node.CreatedIndex, Dir = node.IsDir };
                var e = new V2Event(V2Event.Expire, view) { PrevNode = V2NodeView.Of(node, recursive: false, sorted: false, NowNanos), EtcdIndex = _index };
                _ttl.Remove(node);
                Remove(node, dir: true, recursive: true, e);
                Stats.Increment(Counter.ExpireCount);
                Hub.Notify(e);
            }
        }
    }

    private V2Event Counted(Counter success, Counter failure, Func<V2Event> write)
    {
        lock (_lock)
        {
            try
            {
                var e = write();
                Stats.Increment(success);
                return e;
            }
            catch (V2Error e)
            {
                Stats.Increment(e.CountedAsSuccess ? success : failure);
                throw;
            }
        }
    }

    private void Publish(V2Event e, bool refresh)
    {
        if (refresh) Hub.History.Add(e);
        else Hub.Notify(e);
    }

    private void ThrowIfCompareFails(V2Node node, string prevValue, ulong prevIndex, bool countedAsSuccess = false)
    {
        var indexMatch = prevIndex == 0 || node.ModifiedIndex == prevIndex;
        var valueMatch = prevValue.Length == 0 || node.Value == prevValue;
        if (indexMatch && valueMatch) return;
        var cause = (indexMatch, valueMatch) switch
        {
            (false, true) => $"[{prevIndex} != {node.ModifiedIndex}]",
            (true, false) => $"[{prevValue} != {node.Value}]",
            _ => $"[{prevValue} != {node.Value}] [{prevIndex} != {node.ModifiedIndex}]",
        };
        throw new V2Error(V2Error.TestFailed, cause, _index) { CountedAsSuccess = countedAsSuccess };
    }

    /// <summary>
    /// etcd's internalCreate: walks to the parent (making missing directories on the way), then
    /// adds the node, replacing a key when <paramref name="replace"/>. Notifies no one.
    /// </summary>
    private V2Event CreateNode(string nodePath, bool dir, string value, bool unique, bool replace, long expireNanos, string action)
    {
        var current = _index;
        var next = current + 1;
        if (unique) nodePath += "/" + next.ToString(CultureInfo.InvariantCulture).PadLeft(20, '0');
        var path = GoPath.CleanRooted(nodePath);
        ThrowIfReadOnly(path, countedAsSuccess: false);
        expireNanos = NormalizeExpiry(expireNanos);
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        V2Node parent;
        try
        {
            parent = WalkCreatingDirs(path[..slash], next);
        }
        catch (V2Error e)
        {
            // etcd counts this failure as a failed set as well as the operation's own.
            Stats.Increment(Counter.SetFail);
            e.Index = current;
            throw;
        }
        V2NodeView? prev = null;
        var now = NowNanos;
        if (parent.Children!.TryGetValue(name, out var existing))
        {
            if (!replace) throw new V2Error(V2Error.NodeExist, path, current);
            if (existing.IsDir) throw new V2Error(V2Error.NotFile, path, current);
            prev = V2NodeView.Of(existing, recursive: false, sorted: false, now);
            if (!existing.IsPermanent) _ttl.Remove(existing);
            parent.Children.Remove(name);
        }
        var node = dir ? V2Node.Dir(path, next, parent, expireNanos) : V2Node.Key(path, value, next, parent, expireNanos);
        parent.Children[name] = node;
        if (!node.IsPermanent) _ttl.Add(node);
        Changes.Saved(node);
        var view = new V2NodeView { Key = path, ModifiedIndex = next, CreatedIndex = next };
        if (dir) view.Dir = true;
        else view.Value = value;
        view.SetExpiry(node, now);
        _index = next;
        return new V2Event(action, view) { PrevNode = prev, EtcdIndex = next };
    }

    /// <summary>The directory at <paramref name="dirPath"/>, made (with <paramref name="createdIndex"/>) where missing.</summary>
    private V2Node WalkCreatingDirs(string dirPath, ulong createdIndex)
    {
        var current = _root;
        var start = 1;
        while (start < dirPath.Length)
        {
            var end = dirPath.IndexOf('/', start);
            if (end < 0) end = dirPath.Length;
            var name = dirPath[start..end];
            if (current.Children!.TryGetValue(name, out var child))
            {
                if (!child.IsDir) throw new V2Error(V2Error.NotDir, child.Path, _index);
            }
            else
            {
                child = V2Node.Dir(dirPath[..end], createdIndex, current, 0);
                current.Children[name] = child;
                Changes.Saved(child);
            }
            current = child;
            start = end + 1;
        }
        return current;
    }

    /// <summary>Unlinks the node (and with <paramref name="recursive"/> its subtree), telling each removed path's watchers.</summary>
    private void Remove(V2Node node, bool dir, bool recursive, V2Event e)
    {
        if (node.IsDir)
        {
            if (!dir) throw new V2Error(V2Error.NotFile, node.Path, _index);
            if (node.Children!.Count != 0 && !recursive) throw new V2Error(V2Error.DirNotEmpty, node.Path, _index);
            foreach (var child in node.Children.Values.ToArray()) Remove(child, dir: true, recursive: true, e);
        }
        if (node.Parent is { } parent && parent.Children!.TryGetValue(node.Name, out var linked) && linked == node)
        {
            parent.Children.Remove(node.Name);
            Changes.Deleted(node.Path);
            Hub.NotifyWatchers(e, node.Path, deleted: true);
            if (!node.IsPermanent) _ttl.Remove(node);
        }
    }
}
