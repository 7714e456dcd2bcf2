using Etcd.Raft.Raftpb;
using Etcd.Storage.Snapshots;
using Google.Protobuf;

namespace Etcd.Server.Replication;

/// <summary>Raft snapshots (metadata and membership data, raftpb encoded) in the member's snap directory.</summary>
public sealed class RaftSnapshotFiles(string directory, int keep)
{
    private readonly SnapshotStore _store = new(directory);

    /// <summary>Writes the snapshot's file durably; older files stay until <see cref="Purge"/>.</summary>
    public void Save(Snapshot snapshot) => _store.Save(snapshot.Metadata.Term, snapshot.Metadata.Index, snapshot.ToByteArray());

    /// <summary>Keeps the newest --max-snapshots files; call only once the newest one's WAL marker is durable.</summary>
    public void Purge() => _store.Purge(keep);

    /// <summary>The newest snapshot that <paramref name="recorded"/> (the WAL's markers) has, or null.</summary>
    public Snapshot? LoadNewest(IReadOnlySet<Etcd.Storage.Wal.WalSnapshot> recorded) =>
        _store.LoadNewest((term, index) => recorded.Contains(new Etcd.Storage.Wal.WalSnapshot(index, term))) is { } stored
            ? Snapshot.Parser.ParseFrom(stored.Data)
            : null;
}
