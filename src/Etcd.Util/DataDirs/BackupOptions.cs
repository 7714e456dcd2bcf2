namespace Etcd.Util.DataDirs;

/// <summary>The flags of <c>backup</c> (etcdutl's and etcdctl v2's).</summary>
public sealed record BackupOptions
{
    public required string DataDir { get; init; }

    /// <summary>Empty: "&lt;data-dir&gt;/member/wal".</summary>
    public string WalDir { get; init; } = "";

    public required string BackupDir { get; init; }

    /// <summary>Empty: "&lt;backup-dir&gt;/member/wal".</summary>
    public string BackupWalDir { get; init; } = "";

    /// <summary>Keep the v3 key space and v3 entries (etcdutl's default); without it only the v2 store is kept.</summary>
    public bool WithV3 { get; init; } = true;
}
