using Etcd.Raft.Quorum;
using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>
/// ReadIndex (Raft thesis §6.4): answering "what index must a linearizable read wait for" without
/// writing to the log. The leader records its commit index, confirms it is still the leader (a
/// heartbeat round acknowledged by a quorum, or its lease), and answers with that index.
/// </summary>
internal sealed partial class Raft
{
    private void HandleReadIndexAsLeader(Message m)
    {
        if (m.Entries.Count != 1)
        {
            // The request context travels as the only entry; anything else is malformed.
            _logger?.Warn($"{Id:x} invalid format of MsgReadIndex from {m.From:x}, entries count: {m.Entries.Count}");
            return;
        }

        if (!Promotable)
        {
            // A leader removed from (or demoted in) the configuration no longer speaks for it: the
            // remaining voters may already have elected someone else. Let the requester retry.
            _logger?.Info($"{Id:x} is not a voter any more; dropping index reading msg");
            return;
        }

        if (Tracker.IsSingleton)
        {
            // The only voter: nobody else can have become leader, so the commit index is current.
            RespondToReadIndex(m, Log.Committed);
            return;
        }

        // Until an entry of our term commits, our commit index may lag what a previous leader
        // committed (and acknowledged to clients): defer the request.
        if (!CommittedEntryInCurrentTerm)
        {
            (_pendingReadIndexMessages ??= []).Add(m);
            return;
        }

        ConfirmAndRespond(m);
    }

    private bool CommittedEntryInCurrentTerm => Log.TermOrZero(Log.Committed) == Term;

    private void ConfirmAndRespond(Message m)
    {
        switch (ReadOnly.Option)
        {
            case ReadOnlyOption.Safe:
                // The context identifies the request; heartbeats carry it and followers echo it.
                ReadOnly.Add(Log.Committed, m);
                ReadOnly.Acknowledge(Id, m.Entries[0].Data);
                BroadcastHeartbeat(m.Entries[0].Data);
                break;
            case ReadOnlyOption.LeaseBased:
                RespondToReadIndex(m, Log.Committed);
                break;
        }
    }

    private void HandleReadIndexAcknowledgement(Message m)
    {
        var acks = ReadOnly.Acknowledge(m.From, m.Context);
        if (acks is null || Tracker.Config.Voters.Tally(acks) != VoteResult.Won)
        {
            return;
        }

        foreach (var read in ReadOnly.Release(m.Context))
        {
            RespondToReadIndex(read.Request, read.Index);
        }
    }

    /// <summary>Answers locally (a read state) or to the follower that forwarded the request.</summary>
    private void RespondToReadIndex(Message request, ulong index)
    {
        if (request.From == 0 || request.From == Id)
        {
            AddReadState(index, request.Entries[0].Data);
            return;
        }

        var response = new Message { Type = MessageType.MsgReadIndexResp, To = request.From, Index = index };
        response.Entries.AddRange(request.Entries);
        Send(response);
    }

    private void ReleasePendingReadIndexMessages()
    {
        if (_pendingReadIndexMessages is null)
        {
            return;
        }

        if (!CommittedEntryInCurrentTerm)
        {
            _logger?.Warn("pending MsgReadIndex should be released only after first commit in current term");
            return;
        }

        var pending = _pendingReadIndexMessages;
        _pendingReadIndexMessages = null;
        foreach (var m in pending)
        {
            ConfirmAndRespond(m);
        }
    }
}
