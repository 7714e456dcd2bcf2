namespace Etcd.Server.Membership;

/// <summary>One member of the cluster as the Cluster API reports it. Immutable: changes make a copy.</summary>
public sealed class Member
{
    public required ulong Id { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<string> PeerUrls { get; init; }
    public IReadOnlyList<string> ClientUrls { get; init; } = [];
    public bool IsLearner { get; init; }

    public Member With(string? name = null, IReadOnlyList<string>? peerUrls = null, IReadOnlyList<string>? clientUrls = null, bool? isLearner = null) => new()
    {
        Id = Id,
        Name = name ?? Name,
        PeerUrls = peerUrls ?? PeerUrls,
        ClientUrls = clientUrls ?? ClientUrls,
        IsLearner = isLearner ?? IsLearner,
    };
}
