using Etcd.Raft.Raftpb;
using Etcd.Storage.Snapshots;
using Google.Protobuf;

namespace Etcd.Server.Raft;

/// <summary>Raft snapshots (metadata and membership data, raftpb encoded) in the member's snap directory.</summary>
public sealed class RaftSnapshotFiles(string directory, int keep)
{
    private readonly SnapshotStore _store = new(directory);

    public void Save(Snapshot snapshot)
    {
        _store.Save(snapshot.Metadata.Term, snapshot.Metadata.Index, snapshot.ToByteArray());
        _store.Purge(keep);
    }

    public Snapshot? LoadNewest() =>
        _store.LoadNewest() is { } stored ? Snapshot.Parser.ParseFrom(stored.Data) : null;
}
