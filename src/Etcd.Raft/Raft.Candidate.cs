using Etcd.Raft.Quorum;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>How a candidate or pre-candidate handles messages.</summary>
internal sealed partial class Raft
{
    private RaftError StepCandidate(Message m)
    {
        // Only answers to our own kind of campaign count: a candidate may still receive stale
        // pre-vote answers from its pre-candidate phase in this term.
        var myResponseType = State == RaftState.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
        switch (m.Type)
        {
            case MessageType.MsgProp:
                _logger?.Info($"{Id:x} no leader at term {Term}; dropping proposal");
                return RaftError.ProposalDropped;

            // A leader of our term exists (messages of other terms were handled in Step).
            case MessageType.MsgApp:
                BecomeFollower(m.Term, m.From);
                HandleAppendEntries(m);
                break;
            case MessageType.MsgHeartbeat:
                BecomeFollower(m.Term, m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                BecomeFollower(m.Term, m.From);
                HandleSnapshot(m);
                break;
            case var type when type == myResponseType:
                var (granted, rejected, result) = Poll(m.From, m.Type, !m.Reject);
                _logger?.Info($"{Id:x} has received {granted} {m.Type} votes and {rejected} vote rejections");
                if (result == VoteResult.Won)
                {
                    if (State == RaftState.PreCandidate)
                    {
                        Campaign(CampaignType.Election);
                    }
                    else
                    {
                        BecomeLeader();
                        BroadcastAppend();
                    }
                }
                else if (result == VoteResult.Lost)
                {
                    // A pre-vote answer carries the future term, so keep our own term here.
                    BecomeFollower(Term, 0);
                }

                break;
            case MessageType.MsgTimeoutNow:
                _logger?.Debug($"{Id:x} [term {Term} state {State}] ignored MsgTimeoutNow from {m.From:x}");
                break;
        }

        return RaftError.None;
    }
}
