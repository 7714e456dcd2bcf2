using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft;

/// <summary>
/// A Raft node driven by the caller: feed it ticks, messages and proposals; collect a
/// <see cref="Ready"/> when <see cref="HasReady"/>; act on it as its contract says; call
/// <see cref="Advance"/>. Not thread-safe: the caller serialises all calls (one node loop).
/// </summary>
public sealed class RawNode
{
    private readonly Raft _raft;
    private SoftState _prevSoftState;

    // What the application last persisted (as far as Ready/Advance tell us).
    private ulong _prevTerm;
    private ulong _prevVote;
    private ulong _prevCommit;

    /// <summary>Creates the node, restoring hard state, log and membership from <see cref="RaftConfig.Storage"/>.</summary>
    public RawNode(RaftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _raft = new Raft(config);
        _prevSoftState = _raft.SoftState;
        (_prevTerm, _prevVote, _prevCommit) = (_raft.Term, _raft.Vote, _raft.Log.Committed);
    }

    internal Raft Raft => _raft;

    /// <summary>
    /// Initialises a brand-new cluster: the log starts with one committed ConfChange adding each peer,
    /// which the first Ready asks to persist. Storage must be empty. Throws otherwise.
    /// </summary>
    public void Bootstrap(IReadOnlyList<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (peers.Count == 0)
        {
            throw new ArgumentException("must provide at least one peer to Bootstrap", nameof(peers));
        }

        if (_raft.Log.Storage.LastIndex() != 0)
        {
            throw new InvalidOperationException("can't bootstrap a nonempty Storage");
        }

        // The first Ready must carry the hard state, so forget what was "persisted" so far.
        (_prevTerm, _prevVote, _prevCommit) = (0, 0, 0);
        _raft.BecomeFollower(1, 0);
        var entries = new Entry[peers.Count];
        for (int i = 0; i < peers.Count; i++)
        {
            var cc = new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = peers[i].Id, Context = peers[i].Context };
            entries[i] = new Entry { Type = EntryType.EntryConfChange, Term = 1, Index = (ulong)(i + 1), Data = cc.ToByteString() };
        }

        _raft.Log.AppendRange(entries, 0);

        // The entries are committed by fiat (every member bootstraps the same way) and applied here
        // directly, so the node knows its peers before the application sees the entries. They are
        // still handed out as CommittedEntries; applying them again is harmless.
        _raft.Log.Committed = (ulong)entries.Length;
        foreach (var peer in peers)
        {
            _raft.ApplyConfChange(new ConfChange { NodeId = peer.Id, Type = ConfChangeType.ConfChangeAddNode }.AsV2());
        }
    }

    /// <summary>Advances the logical clock by one tick (elections, heartbeats).</summary>
    public void Tick() => _raft.Tick();

    /// <summary>Starts an election now (with pre-vote first, if enabled).</summary>
    public RaftError Campaign() => _raft.Step(new Message { Type = MessageType.MsgHup });

    /// <summary>Proposes <paramref name="data"/> for appending to the log.</summary>
    public RaftError Propose(ByteString data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _raft.ProposeLocal(new Entry { Data = data });
    }

    /// <summary>Proposes a membership change. It takes effect when applied (<see cref="ApplyConfChange(ConfChangeV2)"/>).</summary>
    public RaftError ProposeConfChange(ConfChangeV2 cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return ProposeEntry(new Entry { Type = EntryType.EntryConfChangeV2, Data = cc.ToByteString() });
    }

    /// <summary>Proposes a single-member change in the original format.</summary>
    public RaftError ProposeConfChange(ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return ProposeEntry(new Entry { Type = EntryType.EntryConfChange, Data = cc.ToByteString() });
    }

    /// <summary>
    /// Applies a committed membership change and returns the resulting membership (to store with the
    /// next snapshot). Call it for every committed conf-change entry, in log order.
    /// </summary>
    public ConfState ApplyConfChange(ConfChangeV2 cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ApplyConfChange(cc);
    }

    public ConfState ApplyConfChange(ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ApplyConfChange(cc.AsV2());
    }

    /// <summary>
    /// Feeds a message received from a peer. Takes ownership of <paramref name="m"/> (its entries may
    /// be stored in the log).
    /// </summary>
    public RaftError Step(Message m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (IsLocalMessage(m.Type))
        {
            return RaftError.StepLocalMessage;
        }

        // Answers from nodes outside the configuration are meaningless (and would need a progress).
        if (IsResponseMessage(m.Type) && _raft.Tracker.Get(m.From) is null)
        {
            return RaftError.StepPeerNotFound;
        }

        return _raft.Step(m);
    }

    /// <summary>
    /// Requests a linearizable read point. The answer arrives as a <see cref="ReadState"/> carrying
    /// <paramref name="requestContext"/> (which must be unique among outstanding requests). It may be
    /// dropped silently (no leader, leadership change); the caller retries on a timeout.
    /// </summary>
    public void ReadIndex(ByteString requestContext)
    {
        ArgumentNullException.ThrowIfNull(requestContext);
        var m = new Message { Type = MessageType.MsgReadIndex };
        m.Entries.Add(new Entry { Data = requestContext });
        _raft.Step(m);
    }

    /// <summary>
    /// Asks the leader (this node, or forwarded to it) to hand leadership to <paramref name="transferee"/>.
    /// Proposals are dropped until the transfer completes or is abandoned after an election timeout.
    /// </summary>
    public void TransferLeader(ulong transferee) => _raft.Step(new Message { Type = MessageType.MsgTransferLeader, From = transferee });

    /// <summary>Whether <see cref="GetReady"/> would return anything.</summary>
    public bool HasReady()
    {
        var r = _raft;
        if (r.SoftState != _prevSoftState)
        {
            return true;
        }

        if ((r.Term, r.Vote, r.Log.Committed) != (_prevTerm, _prevVote, _prevCommit) && (r.Term | r.Vote | r.Log.Committed) != 0)
        {
            return true;
        }

        if (r.Log.Unstable.Snapshot is { Metadata.Index: > 0 })
        {
            return true;
        }

        return r.HasMessages || r.Log.Unstable.Count > 0 || r.Log.HasNextCommittedEntries || r.HasReadStates;
    }

    /// <summary>
    /// Collects what the application must do now (see <see cref="Ready"/> for the order). Messages and
    /// read states are handed over; entries remain unstable until <see cref="Advance"/>.
    /// </summary>
    public Ready GetReady()
    {
        var r = _raft;
        SoftState soft = r.SoftState;
        SoftState? softChanged = soft != _prevSoftState ? soft : null;
        _prevSoftState = soft;

        bool hardChanged = (r.Term, r.Vote, r.Log.Committed) != (_prevTerm, _prevVote, _prevCommit);
        var hardState = hardChanged ? r.HardState() : new HardState();
        var unstable = r.Log.Unstable;
        // (Not "[]": that would make an ArraySegment without an array, which cannot be enumerated.)
        IReadOnlyList<Entry> entries = unstable.Count > 0 ? unstable.Entries : Array.Empty<Entry>();

        // Persisting is mandatory before answering for new entries, a new term or a new vote; a
        // commit index alone can be recovered from peers.
        bool mustSync = entries.Count != 0 || r.Term != _prevTerm || r.Vote != _prevVote;
        return new Ready(
            softChanged,
            hardState,
            hardChanged,
            r.TakeReadStates(),
            entries,
            unstable.Snapshot,
            r.Log.NextCommittedEntries(),
            r.TakeMessages(),
            mustSync);
    }

    /// <summary>
    /// Tells the node that <paramref name="rd"/> was handled: its entries and state are durable and
    /// its committed entries applied.
    /// </summary>
    public void Advance(Ready rd)
    {
        ArgumentNullException.ThrowIfNull(rd);
        if (rd.HasHardState)
        {
            (_prevTerm, _prevVote, _prevCommit) = (rd.HardState.Term, rd.HardState.Vote, rd.HardState.Commit);
        }

        _raft.Advance(rd.AppliedCursor, rd.CommittedEntries, rd.Entries, rd.Snapshot?.Metadata?.Index ?? 0);
    }

    public RaftStatus Status()
    {
        var r = _raft;
        var progress = new Dictionary<ulong, ProgressStatus>();
        if (r.State == RaftState.Leader)
        {
            var ids = r.Tracker.SortedIds;
            var all = r.Tracker.SortedProgress;
            for (int i = 0; i < ids.Length; i++)
            {
                var pr = all[i];
                progress[ids[i]] = new ProgressStatus(pr.Match, pr.Next, pr.State, pr.PendingSnapshot, pr.RecentActive, pr.ProbeSent, pr.IsLearner, pr.Inflights.Count, pr.IsPaused);
            }
        }

        return new RaftStatus(r.Id, r.HardState(), r.SoftState, r.Log.Applied, progress, r.LeadTransferee, r.Tracker.Config);
    }

    /// <summary>The transport failed to reach <paramref name="id"/>; replication to it falls back to probing.</summary>
    public void ReportUnreachable(ulong id) => _raft.Step(new Message { Type = MessageType.MsgUnreachable, From = id });

    /// <summary>The outcome of sending a MsgSnap to <paramref name="id"/>.</summary>
    public void ReportSnapshot(ulong id, SnapshotStatus status) =>
        _raft.Step(new Message { Type = MessageType.MsgSnapStatus, From = id, Reject = status == SnapshotStatus.Failure });

    private RaftError ProposeEntry(Entry entry)
    {
        var m = new Message { Type = MessageType.MsgProp, From = _raft.Id };
        m.Entries.Add(entry);
        return _raft.Step(m);
    }

    private static bool IsLocalMessage(MessageType type) =>
        type is MessageType.MsgHup or MessageType.MsgBeat or MessageType.MsgUnreachable or MessageType.MsgSnapStatus or MessageType.MsgCheckQuorum;

    private static bool IsResponseMessage(MessageType type) =>
        type is MessageType.MsgAppResp or MessageType.MsgVoteResp or MessageType.MsgHeartbeatResp or MessageType.MsgUnreachable or MessageType.MsgPreVoteResp;
}
