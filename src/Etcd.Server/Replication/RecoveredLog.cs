using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>What a member's durable Raft log gives back at start: the newest snapshot, the hard state and the entries after the snapshot.</summary>
public sealed record RecoveredLog(Snapshot? Snapshot, HardState? HardState, IReadOnlyList<Entry> Entries)
{
    /// <summary>A log that was just created.</summary>
    public static RecoveredLog Empty { get; } = new(null, null, []);
}
