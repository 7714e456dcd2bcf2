using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>Where a member's Raft state survives a crash: the WAL and the snapshot files.</summary>
public interface IRaftDurableLog : IDisposable
{
    /// <summary>
    /// Appends the hard state (when set) and entries; with <paramref name="sync"/> they are on
    /// disk when this returns. Raft's rule: this completes before the Ready's messages are sent.
    /// </summary>
    void Save(HardState? hardState, IReadOnlyList<Entry> entries, bool sync);

    /// <summary>Writes the snapshot file and a WAL marker for it, durably.</summary>
    void SaveSnapshot(Snapshot snapshot);

    /// <summary>Lets go of log segments wholly below <paramref name="index"/>.</summary>
    void ReleaseTo(ulong index);
}
