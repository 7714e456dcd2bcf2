using Etcd.Raft.Raftpb;

namespace Etcd.Server.Replication;

/// <summary>Delivers Raft messages to other members. A single member has none to send to.</summary>
public interface IPeerSender
{
    void Send(IReadOnlyList<Message> messages);
}
