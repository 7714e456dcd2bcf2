using Etcd.Raft.Log;
using Etcd.Raft.Membership;
using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;
using Google.Protobuf;

namespace Etcd.Raft;

/// <summary>
/// The Raft protocol for one node, as a pure state machine: inputs are ticks, messages and
/// proposals (through <see cref="Step(Message)"/>), outputs are queued messages, log changes and
/// read states collected by <see cref="RawNode"/>. Single-threaded; no clocks or I/O.
/// The partial files split it by concern: roles and elections, the per-role step functions,
/// replication, membership and reads.
/// </summary>
internal sealed partial class Raft
{
    // etcd sends this exact context with votes of a leader transfer; kept for wire compatibility.
    internal static readonly ByteString CampaignTransferContext = ByteString.CopyFromUtf8("CampaignTransfer");

    private readonly ulong _maxMsgSize;
    private readonly ulong _maxUncommittedSize;
    private readonly bool _checkQuorum;
    private readonly bool _preVote;
    private readonly int _heartbeatTimeout;
    private readonly int _electionTimeout;
    private readonly bool _disableProposalForwarding;
    private readonly Random _random;
    private readonly IRaftLogger? _logger;

    private List<Message>? _messages;
    private List<ReadState>? _readStates;

    // ReadIndex requests that arrived before this leader committed an entry of its term: until then
    // its commit index may be behind the previous leader's, so it cannot answer yet.
    private List<Message>? _pendingReadIndexMessages;

    public Raft(RaftConfig config)
    {
        config.Validate();
        Id = config.Id;
        _maxMsgSize = config.MaxSizePerMsg;
        _maxUncommittedSize = config.EffectiveMaxUncommittedSize;
        _checkQuorum = config.CheckQuorum;
        _preVote = config.PreVote;
        _heartbeatTimeout = config.HeartbeatTick;
        _electionTimeout = config.ElectionTick;
        _disableProposalForwarding = config.DisableProposalForwarding;
        _random = config.Random;
        _logger = config.Logger;
        Log = new RaftLog(config.Storage, _logger, config.EffectiveMaxCommittedSizePerReady);
        Tracker = new ProgressTracker(config.MaxInflightMsgs);
        ReadOnly = new ReadIndexQueue(config.ReadOnlyOption);

        var (hardState, confState) = config.Storage.InitialState();
        var restored = ConfStateRestorer.Restore(confState, Tracker.MaxInflight, Log.LastIndex);
        if (!restored.Succeeded)
        {
            throw new InvalidOperationException($"unable to restore config {confState}: {restored.Error}");
        }

        SwitchToConfig(restored.Config, restored.Progress);

        if (hardState.Term != 0 || hardState.Vote != 0 || hardState.Commit != 0)
        {
            LoadState(hardState);
        }

        if (config.Applied > 0)
        {
            Log.AppliedTo(config.Applied);
        }

        BecomeFollower(Term, 0);
        _logger?.Info($"newRaft {Id:x} [peers: [{string.Join(",", Tracker.Config.Voters.All.ToArray().Select(v => v.ToString("x")))}], term: {Term}, commit: {Log.Committed}, applied: {Log.Applied}, lastindex: {Log.LastIndex}, lastterm: {Log.LastTerm}]");
    }

    public ulong Id { get; }

    public ulong Term { get; private set; }

    /// <summary>Whom this node voted for in <see cref="Term"/> (0: nobody).</summary>
    public ulong Vote { get; private set; }

    public RaftLog Log { get; }

    public ProgressTracker Tracker { get; }

    public RaftState State { get; private set; }

    /// <summary>This node is a learner in the current configuration.</summary>
    public bool IsLearner { get; private set; }

    /// <summary>The leader of the current term as far as this node knows (0: unknown).</summary>
    public ulong Lead { get; private set; }

    /// <summary>Target of a leader transfer in progress (0: none); proposals are refused meanwhile.</summary>
    public ulong LeadTransferee { get; private set; }

    /// <summary>
    /// At or above the index of the newest configuration change that may be unapplied. Only one
    /// change may be pending: a new one is refused until the applied index passes this.
    /// </summary>
    public ulong PendingConfIndex { get; private set; }

    /// <summary>Estimated payload bytes of the leader's uncommitted tail (leader only; reset on term change).</summary>
    public ulong UncommittedSize { get; private set; }

    public ReadIndexQueue ReadOnly { get; private set; }

    /// <summary>
    /// Ticks since the last election timeout (leader, candidate) or since the last valid message from
    /// the leader (follower).
    /// </summary>
    public int ElectionElapsed { get; set; }

    /// <summary>Ticks since the last heartbeat (leader only).</summary>
    public int HeartbeatElapsed { get; private set; }

    /// <summary>Drawn from [electionTimeout, 2*electionTimeout) whenever the timer resets.</summary>
    public int RandomizedElectionTimeout { get; private set; }

    public int ElectionTimeout => _electionTimeout;

    public bool HasMessages => _messages is { Count: > 0 };

    public bool HasReadStates => _readStates is { Count: > 0 };

    public SoftState SoftState => new(Lead, State);

    public bool HardStateEquals(HardState hs) => hs.Term == Term && hs.Vote == Vote && hs.Commit == Log.Committed;

    public HardState HardState() => new() { Term = Term, Vote = Vote, Commit = Log.Committed };

    /// <summary>Hands over the queued outgoing messages; the caller owns the list.</summary>
    public IReadOnlyList<Message> TakeMessages()
    {
        var messages = _messages;
        _messages = null;
        _queuedCount = 0;
        return messages is null ? [] : messages;
    }

    public IReadOnlyList<ReadState> TakeReadStates()
    {
        var readStates = _readStates;
        _readStates = null;
        return readStates is null ? [] : readStates;
    }

    /// <summary>Whether this node may campaign: it is a voter in the current configuration.</summary>
    public bool Promotable => Tracker.Get(Id) is { IsLearner: false };

    private bool PastElectionTimeout => ElectionElapsed >= RandomizedElectionTimeout;

    /// <summary>Queues <paramref name="m"/> for sending, stamping sender and (where it belongs) the term.</summary>
    private void Send(Message m)
    {
        m.From = Id;
        if (m.Type is MessageType.MsgVote or MessageType.MsgVoteResp or MessageType.MsgPreVote or MessageType.MsgPreVoteResp)
        {
            // Votes carry the term campaigned for (or, in responses, the one being answered), which
            // for pre-votes differs from ours; the caller sets it.
            if (m.Term == 0)
            {
                throw new InvalidOperationException($"term should be set when sending {m.Type}");
            }
        }
        else
        {
            if (m.Term != 0)
            {
                throw new InvalidOperationException($"term should not be set when sending {m.Type} (was {m.Term})");
            }

            // Proposals and read requests forwarded to the leader act as local messages there, so
            // they carry no term.
            if (m.Type is not MessageType.MsgProp and not MessageType.MsgReadIndex)
            {
                m.Term = Term;
            }
        }

        (_messages ??= []).Add(m);
        RememberQueued(m.To, _messages.Count - 1, m.Type == MessageType.MsgApp ? EntriesSize(m.Entries) : 0);
    }

    private void AddReadState(ulong index, ByteString context) => (_readStates ??= []).Add(new ReadState(index, context));

    private void LoadState(HardState state)
    {
        if (state.Commit < Log.Committed || state.Commit > Log.LastIndex)
        {
            throw new InvalidOperationException($"{Id:x} state.commit {state.Commit} is out of range [{Log.Committed}, {Log.LastIndex}]");
        }

        Log.Committed = state.Commit;
        Term = state.Term;
        Vote = state.Vote;
    }

    private void ResetRandomizedElectionTimeout() => RandomizedElectionTimeout = _electionTimeout + _random.Next(_electionTimeout);

    /// <summary>Admits <paramref name="payload"/> more uncommitted bytes unless that exceeds the limit.</summary>
    private bool TryIncreaseUncommittedSize(ulong payload)
    {
        // An empty tail admits any single proposal, however large, so progress is always possible.
        if (UncommittedSize > 0 && UncommittedSize + payload > _maxUncommittedSize)
        {
            return false;
        }

        UncommittedSize += payload;
        return true;
    }

    private void ReduceUncommittedSize(IReadOnlyList<Entry> committed)
    {
        if (UncommittedSize == 0)
        {
            // Followers do not track the limit.
            return;
        }

        ulong size = 0;
        for (int i = 0; i < committed.Count; i++)
        {
            size += EntrySize.Payload(committed[i]);
        }

        // The estimate may undercount (it resets on term changes) but never overcounts; saturate at 0.
        UncommittedSize = size > UncommittedSize ? 0 : UncommittedSize - size;
    }
}
