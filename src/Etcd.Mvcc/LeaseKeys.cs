namespace Etcd.Mvcc;

/// <summary>
/// Which live keys are attached to each lease, so that revoking a lease can delete its keys.
/// Follows the index: guarded by the same lock, changed at the same time.
/// </summary>
internal sealed class LeaseKeys
{
    private readonly Dictionary<long, HashSet<KeyHistory>> keysByLease = [];

    public void Clear() => keysByLease.Clear();

    public void Attach(long leaseId, KeyHistory key)
    {
        if (leaseId == 0)
        {
            return;
        }
        if (!keysByLease.TryGetValue(leaseId, out HashSet<KeyHistory>? keys))
        {
            keys = [];
            keysByLease.Add(leaseId, keys);
        }
        keys.Add(key);
    }

    public void Detach(long leaseId, KeyHistory key)
    {
        if (leaseId == 0 || !keysByLease.TryGetValue(leaseId, out HashSet<KeyHistory>? keys))
        {
            return;
        }
        keys.Remove(key);
        if (keys.Count == 0)
        {
            keysByLease.Remove(leaseId);
        }
    }

    /// <summary>The keys attached to <paramref name="leaseId"/>, in key order.</summary>
    public KeyHistory[] KeysOf(long leaseId)
    {
        if (!keysByLease.TryGetValue(leaseId, out HashSet<KeyHistory>? keys))
        {
            return [];
        }
        var sorted = new KeyHistory[keys.Count];
        keys.CopyTo(sorted);
        Array.Sort(sorted, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return sorted;
    }
}
