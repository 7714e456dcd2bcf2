using Etcd.Raft.Quorum;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>Role transitions, ticking, and campaigning.</summary>
internal sealed partial class Raft
{
    public void Tick()
    {
        if (State == RaftState.Leader)
        {
            TickHeartbeat();
        }
        else
        {
            TickElection();
        }
    }

    public void BecomeFollower(ulong term, ulong lead)
    {
        Reset(term);
        Lead = lead;
        State = RaftState.Follower;
        _logger?.Info($"{Id:x} became follower at term {Term}");
    }

    public void BecomeCandidate()
    {
        if (State == RaftState.Leader)
        {
            throw new InvalidOperationException("invalid transition [leader -> candidate]");
        }

        Reset(Term + 1);
        Vote = Id;
        State = RaftState.Candidate;
        _logger?.Info($"{Id:x} became candidate at term {Term}");
    }

    public void BecomePreCandidate()
    {
        if (State == RaftState.Leader)
        {
            throw new InvalidOperationException("invalid transition [leader -> pre-candidate]");
        }

        // A pre-candidate keeps its term and vote: nothing here needs to be persisted, which is the
        // point of pre-voting.
        Tracker.ResetVotes();
        Lead = 0;
        State = RaftState.PreCandidate;
        _logger?.Info($"{Id:x} became pre-candidate at term {Term}");
    }

    public void BecomeLeader()
    {
        if (State == RaftState.Follower)
        {
            throw new InvalidOperationException("invalid transition [follower -> leader]");
        }

        Reset(Term);
        Lead = Id;
        State = RaftState.Leader;

        // The leader trivially replicates to itself; Reset set its Match to the last index.
        Tracker.Get(Id)?.BecomeReplicate();

        // Any entry in our log might be an unapplied configuration change. Scanning the tail would be
        // costly; refusing new changes until everything up to here is applied is safe and cheap.
        PendingConfIndex = Log.LastIndex;

        // Raft §5.4.2/§8: an empty entry of the new term lets earlier entries commit and tells the
        // leader its commit index.
        var empty = new Entry();
        if (!AppendEntry(empty))
        {
            throw new InvalidOperationException("empty entry was dropped");
        }

        // Not counted against the uncommitted quota, so a single large proposal is still admitted.
        UncommittedSize = 0;
        _logger?.Info($"{Id:x} became leader at term {Term}");
    }

    /// <summary>Starts an election if this node may (the MsgHup handler).</summary>
    public void Hup(CampaignType type)
    {
        if (State == RaftState.Leader)
        {
            _logger?.Debug($"{Id:x} ignoring MsgHup because already leader");
            return;
        }

        if (!Promotable)
        {
            _logger?.Warn($"{Id:x} is unpromotable and can not campaign");
            return;
        }

        // A committed but unapplied configuration change could change who may vote; campaign only
        // once it is applied.
        if (Log.Committed > Log.Applied && HasUnappliedConfChange())
        {
            _logger?.Warn($"{Id:x} cannot campaign at term {Term} since there are still pending configuration changes to apply");
            return;
        }

        _logger?.Info($"{Id:x} is starting a new election at term {Term}");
        Campaign(type);
    }

    private void TickElection()
    {
        ElectionElapsed++;
        if (Promotable && PastElectionTimeout)
        {
            ElectionElapsed = 0;
            Hup(_preVote ? CampaignType.PreElection : CampaignType.Election);
        }
    }

    private void TickHeartbeat()
    {
        HeartbeatElapsed++;
        ElectionElapsed++;

        if (ElectionElapsed >= _electionTimeout)
        {
            ElectionElapsed = 0;
            if (_checkQuorum)
            {
                CheckQuorum();
            }

            // A transfer that did not finish within an election timeout is abandoned.
            if (State == RaftState.Leader && LeadTransferee != 0)
            {
                AbortLeaderTransfer();
            }

            // A leader that is no longer a voter keeps trying to hand over leadership.
            if (State == RaftState.Leader && !Promotable)
            {
                HandOffLeadership();
            }
        }

        if (State != RaftState.Leader)
        {
            return;
        }

        if (HeartbeatElapsed >= _heartbeatTimeout)
        {
            HeartbeatElapsed = 0;
            BroadcastHeartbeat();
        }
    }

    /// <summary>Steps down unless a quorum was heard from during the last election timeout.</summary>
    private void CheckQuorum()
    {
        // The leader counts itself as active (if it is still a member at all).
        var self = Tracker.Get(Id);
        if (self is not null)
        {
            self.RecentActive = true;
        }

        if (!Tracker.QuorumActive())
        {
            _logger?.Warn($"{Id:x} stepped down to follower since quorum is not active");
            BecomeFollower(Term, 0);
        }

        // Everyone else must prove activity again before the next check.
        var ids = Tracker.SortedIds;
        var progress = Tracker.SortedProgress;
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] != Id)
            {
                progress[i].RecentActive = false;
            }
        }
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = 0;
        }

        Lead = 0;
        ElectionElapsed = 0;
        HeartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        AbortLeaderTransfer();
        Tracker.ResetVotes();

        ulong lastIndex = Log.LastIndex;
        var ids = Tracker.SortedIds;
        var progress = Tracker.SortedProgress;
        for (int i = 0; i < ids.Length; i++)
        {
            progress[i].ResetForNewTerm(match: ids[i] == Id ? lastIndex : 0, next: lastIndex + 1);
        }

        PendingConfIndex = 0;
        UncommittedSize = 0;

        // Pending reads belong to the old term's leadership; their requesters retry.
        ReadOnly = new ReadIndexQueue(ReadOnly.Option);
        _pendingReadIndexMessages = null;
    }

    private void Campaign(CampaignType type)
    {
        if (!Promotable)
        {
            // Callers check first; this is a safety net.
            _logger?.Warn($"{Id:x} is unpromotable; campaign() should not have been called");
        }

        ulong term;
        MessageType voteType;
        if (type == CampaignType.PreElection)
        {
            BecomePreCandidate();
            voteType = MessageType.MsgPreVote;

            // Pre-votes ask about the next term without entering it.
            term = Term + 1;
        }
        else
        {
            BecomeCandidate();
            voteType = MessageType.MsgVote;
            term = Term;
        }

        if (Poll(Id, VoteResponseType(voteType), true).Result == VoteResult.Won)
        {
            // Our own vote suffices: a single-voter configuration.
            if (type == CampaignType.PreElection)
            {
                Campaign(CampaignType.Election);
            }
            else
            {
                BecomeLeader();
            }

            return;
        }

        ulong lastIndex = Log.LastIndex;
        ulong lastTerm = Log.LastTerm;
        foreach (ulong id in Tracker.Config.Voters.All)
        {
            if (id == Id)
            {
                continue;
            }

            _logger?.Info($"{Id:x} [logterm: {lastTerm}, index: {lastIndex}] sent {voteType} request to {id:x} at term {Term}");
            var request = new Message { Term = term, To = id, Type = voteType, Index = lastIndex, LogTerm = lastTerm };
            if (type == CampaignType.Transfer)
            {
                request.Context = CampaignTransferContext;
            }

            Send(request);
        }
    }

    private (int Granted, int Rejected, VoteResult Result) Poll(ulong id, MessageType type, bool granted)
    {
        if (granted)
        {
            _logger?.Info($"{Id:x} received {type} from {id:x} at term {Term}");
        }
        else
        {
            _logger?.Info($"{Id:x} received {type} rejection from {id:x} at term {Term}");
        }

        Tracker.RecordVote(id, granted);
        return Tracker.TallyVotes();
    }

    private bool HasUnappliedConfChange()
    {
        if (!Log.TrySlice(Log.Applied + 1, Log.Committed + 1, ulong.MaxValue, out var entries))
        {
            throw new InvalidOperationException("unexpected error getting unapplied entries");
        }

        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Type is EntryType.EntryConfChange or EntryType.EntryConfChangeV2)
            {
                return true;
            }
        }

        return false;
    }

    private void AbortLeaderTransfer() => LeadTransferee = 0;

    private static MessageType VoteResponseType(MessageType type) => type switch
    {
        MessageType.MsgVote => MessageType.MsgVoteResp,
        MessageType.MsgPreVote => MessageType.MsgPreVoteResp,
        _ => throw new InvalidOperationException($"not a vote message: {type}"),
    };
}
