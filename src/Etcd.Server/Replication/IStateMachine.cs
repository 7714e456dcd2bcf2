using Etcd.Raft;
using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>
/// What Raft replicates into: committed entries are applied to it in order, exactly once each,
/// and a leader's snapshot replaces it whole. The server's is <see cref="State.MemberState"/>.
/// </summary>
public interface IStateMachine
{
    /// <summary>Index of the last entry whose effects are in the backend.</summary>
    ulong AppliedIndex { get; }

    /// <summary>
    /// Applies the entries (skipping those at or below <see cref="AppliedIndex"/>, which a restart
    /// replays) and commits their effects together with the new applied index. Configuration
    /// changes are applied to <paramref name="node"/> as they are met.
    /// </summary>
    void Apply(IReadOnlyList<Entry> entries, RawNode node);

    /// <summary>Becomes the state a snapshot from the leader stands for (its backend arrived beforehand).</summary>
    void Restore(Snapshot snapshot);

    /// <summary>The state a snapshot needs besides the backend (membership), as bytes.</summary>
    Google.Protobuf.ByteString SnapshotData();

    /// <summary>The Raft configuration as of the last applied entry, for snapshots.</summary>
    ConfState ConfState { get; }

    /// <summary>Makes everything applied so far durable in the backend (before the WAL is released).</summary>
    void Flush();
}
