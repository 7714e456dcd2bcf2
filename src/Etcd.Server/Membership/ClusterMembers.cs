namespace Etcd.Server.Membership;

/// <summary>
/// The cluster's members as applied from the log. Written only by the apply loop (and at start-up);
/// a change replaces the array, never a member in place, so readers on other threads always see a
/// whole configuration.
/// </summary>
public sealed class ClusterMembers(ulong clusterId)
{
    private volatile Member[] _members = [];
    private volatile HashSet<ulong> _removed = [];

    public ulong ClusterId { get; private set; } = clusterId;

    /// <summary>The version the whole cluster runs at, once the leader has set it.</summary>
    public string? ClusterVersion { get; set; }

    public IReadOnlyList<Member> All => _members;

    /// <summary>Ids of members removed from the cluster: they may never come back.</summary>
    public IReadOnlyCollection<ulong> RemovedIds => _removed;

    /// <summary>Raised on the apply loop after any change of members (not of attributes alone).</summary>
    public event Action? Changed;

    /// <summary>A member joining an existing cluster learns the cluster id from its peers.</summary>
    public void AdoptClusterId(ulong clusterId) => ClusterId = clusterId;

    public Member? Find(ulong id)
    {
        foreach (var member in _members)
        {
            if (member.Id == id) return member;
        }
        return null;
    }

    public bool IsRemoved(ulong id) => _removed.Contains(id);

    public void Add(Member member)
    {
        if (Find(member.Id) is not null) return;
        _members = [.. _members, member];
        Changed?.Invoke();
    }

    public void Remove(ulong id)
    {
        _members = Array.FindAll(_members, m => m.Id != id);
        _removed = [.. _removed, id];
        Changed?.Invoke();
    }

    /// <summary>Publishes a member's name and client URLs.</summary>
    public void SetAttributes(ulong id, string name, IReadOnlyList<string> clientUrls) =>
        Replace(id, current => current.With(name: name, clientUrls: clientUrls), notify: false);

    public void SetPeerUrls(ulong id, IReadOnlyList<string> peerUrls) =>
        Replace(id, current => current.With(peerUrls: peerUrls), notify: true);

    public void Promote(ulong id) => Replace(id, current => current.With(isLearner: false), notify: true);

    /// <summary>Replaces everything, as loaded from the backend at start-up or from a received snapshot.</summary>
    public void Reset(IReadOnlyList<Member> members, IEnumerable<ulong> removed, string? clusterVersion)
    {
        _members = [.. members];
        _removed = [.. removed];
        ClusterVersion = clusterVersion;
        Changed?.Invoke();
    }

    private void Replace(ulong id, Func<Member, Member> change, bool notify)
    {
        if (Find(id) is not { } current) return;
        var updated = change(current);
        _members = Array.ConvertAll(_members, m => m.Id == id ? updated : m);
        if (notify) Changed?.Invoke();
    }
}
