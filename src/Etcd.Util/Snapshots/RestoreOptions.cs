namespace Etcd.Util.Snapshots;

/// <summary>The flags of <c>snapshot restore</c>, with etcd's defaults.</summary>
public sealed record RestoreOptions
{
    public required string SnapshotPath { get; init; }
    public string Name { get; init; } = "default";

    /// <summary>Empty: "&lt;name&gt;.etcd".</summary>
    public string DataDir { get; init; } = "";

    /// <summary>Empty: "&lt;data-dir&gt;/member/wal".</summary>
    public string WalDir { get; init; } = "";

    public string InitialCluster { get; init; } = "default=http://localhost:2380";
    public string InitialClusterToken { get; init; } = "etcd-cluster";
    public string InitialAdvertisePeerUrls { get; init; } = "http://localhost:2380";
    public bool SkipHashCheck { get; init; }
}
