using Etcd.Server.Configuration;

namespace Etcd.Server.Core;

/// <summary>Where a member keeps what it stores: <c>member/wal</c> (or --wal-dir) and <c>member/snap</c> under --data-dir.</summary>
public sealed record DataDirLayout
{
    public DataDirLayout(EtcdConfig config)
    {
        MemberDir = Path.Combine(config.DataDir, "member");
        WalDir = config.WalDir.Length > 0 ? config.WalDir : Path.Combine(MemberDir, "wal");
        SnapDir = Path.Combine(MemberDir, "snap");
    }

    public string MemberDir { get; }

    /// <summary>The Raft log.</summary>
    public string WalDir { get; }

    /// <summary>Raft snapshots and the backend databases.</summary>
    public string SnapDir { get; }
}
