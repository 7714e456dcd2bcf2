namespace Etcd.Server.Compaction;

/// <summary>What an auto-compactor needs from the member: its revision, whether it leads, and a compaction proposed through Raft.</summary>
public interface ICompactionTarget
{
    long CurrentRevision { get; }

    /// <summary>Only the leader compacts (etcd pauses the compactor on followers).</summary>
    bool IsLeader { get; }

    /// <summary>Proposes a compaction at the revision; throws etcd's error when it fails.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken);
}
