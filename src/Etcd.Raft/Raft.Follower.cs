using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>How a follower handles messages.</summary>
internal sealed partial class Raft
{
    private RaftError StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.MsgProp:
                if (Lead == 0)
                {
                    _logger?.Info($"{Id:x} no leader at term {Term}; dropping proposal");
                    return RaftError.ProposalDropped;
                }

                if (_disableProposalForwarding)
                {
                    _logger?.Info($"{Id:x} not forwarding to leader {Lead:x} at term {Term}; dropping proposal");
                    return RaftError.ProposalDropped;
                }

                m.To = Lead;
                Send(m);
                break;
            case MessageType.MsgApp:
                ElectionElapsed = 0;
                Lead = m.From;
                HandleAppendEntries(m);
                break;
            case MessageType.MsgHeartbeat:
                ElectionElapsed = 0;
                Lead = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                ElectionElapsed = 0;
                Lead = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.MsgTransferLeader:
                if (Lead == 0)
                {
                    _logger?.Info($"{Id:x} no leader at term {Term}; dropping leader transfer msg");
                    return RaftError.None;
                }

                // Send stamps our id as the sender; restore the requested transferee.
                ulong transferee = m.From;
                m.To = Lead;
                Send(m);
                m.From = transferee;
                break;
            case MessageType.MsgTimeoutNow:
                if (Promotable)
                {
                    // A transfer skips pre-vote even when enabled: the leader asked, so there is no
                    // partition to guard against.
                    _logger?.Info($"{Id:x} [term {Term}] received MsgTimeoutNow from {m.From:x} and starts an election to get leadership.");
                    Campaign(CampaignType.Transfer);
                }
                else
                {
                    _logger?.Info($"{Id:x} received MsgTimeoutNow from {m.From:x} but is not promotable");
                }

                break;
            case MessageType.MsgReadIndex:
                if (Lead == 0)
                {
                    _logger?.Info($"{Id:x} no leader at term {Term}; dropping index reading msg");
                    return RaftError.None;
                }

                m.To = Lead;
                Send(m);
                break;
            case MessageType.MsgReadIndexResp:
                if (m.Entries.Count != 1)
                {
                    _logger?.Warn($"{Id:x} invalid format of MsgReadIndexResp from {m.From:x}, entries count: {m.Entries.Count}");
                    return RaftError.None;
                }

                AddReadState(m.Index, m.Entries[0].Data);
                break;
        }

        return RaftError.None;
    }
}
