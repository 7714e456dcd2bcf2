namespace Etcd.Server.Membership;

/// <summary>One member of the cluster as the Cluster API reports it.</summary>
public sealed class Member
{
    public required ulong Id { get; init; }
    public required string Name { get; set; }
    public required IReadOnlyList<string> PeerUrls { get; set; }
    public IReadOnlyList<string> ClientUrls { get; set; } = [];
    public bool IsLearner { get; set; }
}
