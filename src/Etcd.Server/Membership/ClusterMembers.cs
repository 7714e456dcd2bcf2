namespace Etcd.Server.Membership;

/// <summary>
/// The cluster's members as applied from the log. Written only by the apply loop; readers get
/// an immutable copy, so the Cluster API never sees a half-applied change.
/// </summary>
public sealed class ClusterMembers(ulong clusterId)
{
    private volatile Member[] _members = [];

    public ulong ClusterId { get; } = clusterId;

    /// <summary>The version the whole cluster runs at, once the leader has set it.</summary>
    public string? ClusterVersion { get; set; }

    public IReadOnlyList<Member> All => _members;

    public Member? Find(ulong id)
    {
        foreach (var member in _members)
        {
            if (member.Id == id) return member;
        }
        return null;
    }

    public void Add(Member member)
    {
        if (Find(member.Id) is not null) return;
        _members = [.. _members, member];
    }

    public void Remove(ulong id) => _members = Array.FindAll(_members, m => m.Id != id);

    /// <summary>Publishes a member's name and client URLs (a copy replaces the old record).</summary>
    public void SetAttributes(ulong id, string name, IReadOnlyList<string> clientUrls)
    {
        var current = Find(id);
        if (current is null) return;
        var updated = new Member { Id = id, Name = name, PeerUrls = current.PeerUrls, ClientUrls = clientUrls, IsLearner = current.IsLearner };
        _members = Array.ConvertAll(_members, m => m.Id == id ? updated : m);
    }
}
