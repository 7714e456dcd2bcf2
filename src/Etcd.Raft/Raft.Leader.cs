using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>How a leader handles messages and proposals.</summary>
internal sealed partial class Raft
{
    private readonly Entry[] _singleProposal = new Entry[1];

    /// <summary>
    /// A proposal made on this node: appended here when leader, forwarded to the leader when
    /// follower, dropped otherwise. Avoids building a message for the common local case.
    /// </summary>
    public RaftError ProposeLocal(Entry entry)
    {
        switch (State)
        {
            case RaftState.Leader:
                // The scratch array is consumed before this returns: entries are copied into the log.
                _singleProposal[0] = entry;
                return ProposeAsLeader(_singleProposal);
            case RaftState.Follower:
                var m = new Message { Type = MessageType.MsgProp, From = Id };
                m.Entries.Add(entry);
                return StepFollower(m);
            default:
                _logger?.Info($"{Id:x} no leader at term {Term}; dropping proposal");
                return RaftError.ProposalDropped;
        }
    }

    private RaftError StepLeader(Message m)
    {
        // These message types need no progress of the sender.
        switch (m.Type)
        {
            case MessageType.MsgBeat:
                BroadcastHeartbeat();
                return RaftError.None;
            case MessageType.MsgCheckQuorum:
                CheckQuorum();
                return RaftError.None;
            case MessageType.MsgProp:
                if (m.Entries.Count == 0)
                {
                    // Malformed (it came from the wire): refuse rather than fail.
                    _logger?.Warn($"{Id:x} stepped empty MsgProp from {m.From:x}");
                    return RaftError.ProposalDropped;
                }

                return ProposeAsLeader(m.Entries);
            case MessageType.MsgReadIndex:
                HandleReadIndexAsLeader(m);
                return RaftError.None;
        }

        var pr = Tracker.Get(m.From);
        if (pr is null)
        {
            _logger?.Debug($"{Id:x} no progress available for {m.From:x}");
            return RaftError.None;
        }

        switch (m.Type)
        {
            case MessageType.MsgAppResp:
                HandleAppendResponse(m, pr);
                break;
            case MessageType.MsgHeartbeatResp:
                HandleHeartbeatResponse(m, pr);
                break;
            case MessageType.MsgSnapStatus:
                HandleSnapshotStatus(m, pr);
                break;
            case MessageType.MsgUnreachable:
                // An optimistic stream to an unreachable follower has probably lost a message; fall
                // back to probing.
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                _logger?.Debug($"{Id:x} failed to send message to {m.From:x} because it is unreachable [{pr}]");
                break;
            case MessageType.MsgTransferLeader:
                HandleTransferLeader(m, pr);
                break;
        }

        return RaftError.None;
    }

    private RaftError ProposeAsLeader(IList<Entry> entries)
    {
        if (!Promotable)
        {
            // This leader was removed from the configuration (or demoted): it no longer takes
            // proposals, and is handing leadership to a voter.
            return RaftError.ProposalDropped;
        }

        if (LeadTransferee != 0)
        {
            _logger?.Debug($"{Id:x} [term {Term}] transfer leadership to {LeadTransferee:x} is in progress; dropping proposal");
            return RaftError.ProposalDropped;
        }

        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Type is EntryType.EntryNormal)
            {
                continue;
            }

            ConfChangeV2? cc = null;
            try
            {
                cc = entry.Type == EntryType.EntryConfChange
                    ? ConfChange.Parser.ParseFrom(entry.Data).AsV2()
                    : ConfChangeV2.Parser.ParseFrom(entry.Data);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // Garbage would make every member fail when applying it; keep it out of the log.
            }

            string? refused = cc is null ? "undecodable conf change" : RefuseConfChange(cc);
            if (refused is not null)
            {
                // Replaced by an empty normal entry, so the proposer sees its index pass without effect.
                _logger?.Info($"{Id:x} ignoring conf change {(cc is null ? "?" : RaftFormat.ConfChanges(cc.Changes))} at config {Tracker.Config}: {refused}");
                entries[i] = new Entry { Type = EntryType.EntryNormal };
            }
            else
            {
                PendingConfIndex = Log.LastIndex + (ulong)i + 1;
            }
        }

        if (!AppendEntries(entries))
        {
            return RaftError.ProposalDropped;
        }

        BroadcastAppend();
        return RaftError.None;
    }

    /// <summary>Why a proposed configuration change may not go into the log now, or null if it may.</summary>
    private string? RefuseConfChange(ConfChangeV2 cc)
    {
        bool alreadyJoint = Tracker.Config.Voters.IsJoint;
        bool wantsLeaveJoint = cc.Changes.Count == 0;
        if (PendingConfIndex > Log.Applied)
        {
            return $"possible unapplied conf change at index {PendingConfIndex} (applied to {Log.Applied})";
        }

        if (alreadyJoint && !wantsLeaveJoint)
        {
            return "must transition out of joint config first";
        }

        if (!alreadyJoint && wantsLeaveJoint)
        {
            return "not in joint state; refusing empty conf change";
        }

        return null;
    }

    private void HandleAppendResponse(Message m, Tracking.Progress pr)
    {
        pr.RecentActive = true;
        if (m.Reject)
        {
            _logger?.Debug($"{Id:x} received MsgAppResp(rejected, hint: (index {m.RejectHint})) from {m.From:x} for index {m.Index}");
            if (pr.MaybeDecrTo(m.Index, m.RejectHint))
            {
                _logger?.Debug($"{Id:x} decreased progress of {m.From:x} to [{pr}]");
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                SendAppend(m.From, pr);
            }

            return;
        }

        bool wasPaused = pr.IsPaused;
        if (!pr.MaybeUpdate(m.Index))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match >= pr.PendingSnapshot:
                // The follower caught up past the snapshot: resume replication. Going through Probe
                // sets Next from the snapshot.
                _logger?.Debug($"{Id:x} recovered from needing snapshot, resumed sending replication messages to {m.From:x} [{pr}]");
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // A commit of our term makes deferred ReadIndex requests answerable.
            ReleasePendingReadIndexMessages();
            BroadcastAppend();
        }
        else if (wasPaused)
        {
            // The follower may be missing our commit index after a pause; send it.
            SendAppend(m.From, pr);
        }

        // Flow control may now allow several size-limited messages at once (after probing succeeds,
        // or when an acknowledgement frees several in-flight slots). Empty ones are not sent.
        while (MaybeSendAppend(m.From, pr, sendIfEmpty: false))
        {
        }

        if (m.From == LeadTransferee && pr.Match == Log.LastIndex)
        {
            _logger?.Info($"{Id:x} sent MsgTimeoutNow to {m.From:x} after received MsgAppResp");
            SendTimeoutNow(m.From);
        }
    }

    private void HandleHeartbeatResponse(Message m, Tracking.Progress pr)
    {
        pr.RecentActive = true;
        pr.ProbeSent = false;

        // A full window with a live follower means acknowledgements were lost: free one slot so
        // replication can move again.
        if (pr.State == ProgressState.Replicate && pr.Inflights.IsFull)
        {
            pr.Inflights.FreeFirstOne();
        }

        if (pr.Match < Log.LastIndex)
        {
            SendAppend(m.From, pr);
        }

        if (ReadOnly.Option == ReadOnlyOption.Safe && !m.Context.IsEmpty)
        {
            HandleReadIndexAcknowledgement(m);
        }
    }

    private void HandleSnapshotStatus(Message m, Tracking.Progress pr)
    {
        if (pr.State != ProgressState.Snapshot)
        {
            return;
        }

        if (!m.Reject)
        {
            pr.BecomeProbe();
            _logger?.Debug($"{Id:x} snapshot succeeded, resumed sending replication messages to {m.From:x} [{pr}]");
        }
        else
        {
            // Clear the pending snapshot first, or probing would start after a snapshot the
            // follower never installed.
            pr.PendingSnapshot = 0;
            pr.BecomeProbe();
            _logger?.Debug($"{Id:x} snapshot failed, resumed sending replication messages to {m.From:x} [{pr}]");
        }

        // After success, wait for the follower's MsgAppResp before the next append; after failure,
        // wait for a heartbeat round before retrying.
        pr.ProbeSent = true;
    }

    private void HandleTransferLeader(Message m, Tracking.Progress pr)
    {
        if (pr.IsLearner)
        {
            _logger?.Debug($"{Id:x} is learner. Ignored transferring leadership");
            return;
        }

        ulong transferee = m.From;
        if (LeadTransferee != 0)
        {
            if (LeadTransferee == transferee)
            {
                _logger?.Info($"{Id:x} [term {Term}] transfer leadership to {transferee:x} is in progress, ignores request to same node {transferee:x}");
                return;
            }

            _logger?.Info($"{Id:x} [term {Term}] abort previous transferring leadership to {LeadTransferee:x}");
            AbortLeaderTransfer();
        }

        if (transferee == Id)
        {
            _logger?.Debug($"{Id:x} is already leader. Ignored transferring leadership to self");
            return;
        }

        _logger?.Info($"{Id:x} [term {Term}] starts to transfer leadership to {transferee:x}");

        // The transfer must finish within one election timeout, counted from now.
        ElectionElapsed = 0;
        LeadTransferee = transferee;
        if (pr.Match == Log.LastIndex)
        {
            SendTimeoutNow(transferee);
            _logger?.Info($"{Id:x} sends MsgTimeoutNow to {transferee:x} immediately as {transferee:x} already has up-to-date log");
        }
        else
        {
            // Catch it up first; the MsgAppResp that shows it complete triggers TimeoutNow.
            SendAppend(transferee, pr);
        }
    }

    private void SendTimeoutNow(ulong to)
    {
        Send(new Message { To = to, Type = MessageType.MsgTimeoutNow });
        if (!Promotable)
        {
            // A removed (or demoted) leader is done once its successor is told to campaign: a removed
            // node hears from no one any more, so it would otherwise believe itself leader forever.
            // Should the message be lost, the voters elect a leader when their timers run out.
            BecomeFollower(Term, 0);
        }
    }
}
