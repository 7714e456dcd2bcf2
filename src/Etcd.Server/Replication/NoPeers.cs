using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>The peer sender of a single-member cluster: Raft never addresses anyone else.</summary>
public sealed class NoPeers : IPeerSender
{
    public void Send(IReadOnlyList<Message> messages)
    {
    }
}
