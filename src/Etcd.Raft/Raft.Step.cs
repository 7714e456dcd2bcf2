using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>The entry point for messages: term rules first, then votes, then the role's handler.</summary>
internal sealed partial class Raft
{
    /// <summary>
    /// Processes one message. Takes ownership of <paramref name="m"/>: its entries may end up in the
    /// log and be modified (a leader stamps term and index on proposed entries).
    /// </summary>
    public RaftError Step(Message m)
    {
        if (m.Term == 0)
        {
            // Local messages, and proposals / read requests forwarded without a term.
        }
        else if (m.Term > Term)
        {
            if (m.Type is MessageType.MsgVote or MessageType.MsgPreVote)
            {
                // With check-quorum, a node that heard from a leader within the election timeout
                // ignores vote requests (Raft thesis §4.2.3): the leader is alive, so the candidate is
                // probably a disruptive server that was partitioned away. A leader transfer overrides this.
                bool force = m.Context.Equals(CampaignTransferContext);
                bool inLease = _checkQuorum && Lead != 0 && ElectionElapsed < _electionTimeout;
                if (!force && inLease)
                {
                    _logger?.Info($"{Id:x} [logterm: {Log.LastTerm}, index: {Log.LastIndex}, vote: {Vote:x}] ignored {m.Type} from {m.From:x} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}: lease is not expired (remaining ticks: {_electionTimeout - ElectionElapsed})");
                    return RaftError.None;
                }
            }

            if (m.Type == MessageType.MsgPreVote)
            {
                // A pre-vote never changes our term.
            }
            else if (m.Type == MessageType.MsgPreVoteResp && !m.Reject)
            {
                // Granted pre-votes carry the term we will campaign in; we move to it once a quorum
                // granted. A rejection carries the rejecter's term, which we do adopt (below).
            }
            else
            {
                _logger?.Info($"{Id:x} [term: {Term}] received a {m.Type} message with higher term from {m.From:x} [term: {m.Term}]");
                bool fromLeader = m.Type is MessageType.MsgApp or MessageType.MsgHeartbeat or MessageType.MsgSnap;
                BecomeFollower(m.Term, fromLeader ? m.From : 0);
            }
        }
        else if (m.Term < Term)
        {
            if ((_checkQuorum || _preVote || !Promotable) && m.Type is MessageType.MsgHeartbeat or MessageType.MsgApp)
            {
                // A leader of an older term. With check-quorum or pre-vote we may have raised our
                // term during a partition in a way that cannot win an election, and the old leader
                // will not learn of our term through votes we send (they are ignored or pre-votes).
                // A learner never campaigns at all, so without this answer it would stay cut off
                // for good. Answering tells the leader the new term so a fresh election includes us.
                Send(new Message { To = m.From, Type = MessageType.MsgAppResp });
            }
            else if (m.Type == MessageType.MsgPreVote)
            {
                // Reject explicitly so that a pre-candidate with a stale term learns ours rather than
                // waiting forever (silently dropping could deadlock after enabling pre-vote).
                _logger?.Info($"{Id:x} [logterm: {Log.LastTerm}, index: {Log.LastIndex}, vote: {Vote:x}] rejected {m.Type} from {m.From:x} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
                Send(new Message { To = m.From, Term = Term, Type = MessageType.MsgPreVoteResp, Reject = true });
            }
            else
            {
                _logger?.Info($"{Id:x} [term: {Term}] ignored a {m.Type} message with lower term from {m.From:x} [term: {m.Term}]");
            }

            return RaftError.None;
        }

        switch (m.Type)
        {
            case MessageType.MsgHup:
                Hup(_preVote ? CampaignType.PreElection : CampaignType.Election);
                return RaftError.None;
            case MessageType.MsgVote:
            case MessageType.MsgPreVote:
                HandleVoteRequest(m);
                return RaftError.None;
            default:
                return State switch
                {
                    RaftState.Leader => StepLeader(m),
                    RaftState.Candidate or RaftState.PreCandidate => StepCandidate(m),
                    _ => StepFollower(m),
                };
        }
    }

    private void HandleVoteRequest(Message m)
    {
        // We may vote if we already voted for this candidate (a retransmission), if we have not voted
        // and know of no leader in this term, or if it is a pre-vote for a later term.
        bool canVote = Vote == m.From
            || (Vote == 0 && Lead == 0)
            || (m.Type == MessageType.MsgPreVote && m.Term > Term);

        // Learners vote too when asked: a learner may have been promoted without knowing it yet, and
        // the candidate asking evidently considers it a voter.
        if (canVote && Log.IsUpToDate(m.Index, m.LogTerm))
        {
            _logger?.Info($"{Id:x} [logterm: {Log.LastTerm}, index: {Log.LastIndex}, vote: {Vote:x}] cast {m.Type} for {m.From:x} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");

            // Answer with the term of the request, not ours: for pre-votes ours may be older, and the
            // candidate ignores answers from older terms.
            Send(new Message { To = m.From, Term = m.Term, Type = VoteResponseType(m.Type) });
            if (m.Type == MessageType.MsgVote)
            {
                // Only real votes are recorded (and must be persisted before the answer is sent).
                ElectionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            _logger?.Info($"{Id:x} [logterm: {Log.LastTerm}, index: {Log.LastIndex}, vote: {Vote:x}] rejected {m.Type} from {m.From:x} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            Send(new Message { To = m.From, Term = Term, Type = VoteResponseType(m.Type), Reject = true });
        }
    }
}
