using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>A snapshot of a node's state for monitoring and for the server's status endpoints.</summary>
public sealed class RaftStatus
{
    internal RaftStatus(
        ulong id,
        HardState hardState,
        SoftState softState,
        ulong applied,
        IReadOnlyDictionary<ulong, ProgressStatus> progress,
        ulong leadTransferee,
        MembershipConfig config)
    {
        Id = id;
        HardState = hardState;
        SoftState = softState;
        Applied = applied;
        Progress = progress;
        LeadTransferee = leadTransferee;
        Config = config;
    }

    public ulong Id { get; }

    public HardState HardState { get; }

    public SoftState SoftState { get; }

    public ulong Applied { get; }

    /// <summary>Replication state per member; only filled in on the leader.</summary>
    public IReadOnlyDictionary<ulong, ProgressStatus> Progress { get; }

    /// <summary>Target of a leader transfer in progress, 0 if none.</summary>
    public ulong LeadTransferee { get; }

    public MembershipConfig Config { get; }

    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append($"{{\"id\":\"{Id:x}\",\"term\":{HardState.Term},\"vote\":\"{HardState.Vote:x}\",\"commit\":{HardState.Commit},\"lead\":\"{SoftState.Lead:x}\",\"raftState\":\"State{SoftState.RaftState}\",\"applied\":{Applied},\"progress\":{{");
        bool first = true;
        foreach (var (id, pr) in Progress.OrderBy(p => p.Key))
        {
            text.Append(first ? string.Empty : ",").Append($"\"{id:x}\":{{\"match\":{pr.Match},\"next\":{pr.Next},\"state\":\"State{pr.State}\"}}");
            first = false;
        }

        return text.Append($"}},\"leadtransferee\":\"{LeadTransferee:x}\"}}").ToString();
    }
}
