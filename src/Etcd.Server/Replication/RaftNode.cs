using System.Collections.Concurrent;
using System.Diagnostics;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Google.Protobuf;

namespace Etcd.Server.Replication;

/// <summary>
/// Drives one <see cref="RawNode"/>: a single loop owns it and feeds it ticks, proposals, peer
/// messages and read requests, and hands every Ready to the <see cref="ReadyProcessor"/>, which
/// persists, sends, applies and advances in the order Raft requires. Proposals that arrive while
/// a Ready is being persisted are gathered into the next one, so one fsync covers many client
/// writes.
/// <para>
/// The loop has a thread of its own: it blocks in fsync by design, which must not hold a
/// thread-pool thread, and a busy pool must not delay ticks or the next group commit.
/// </para>
/// </summary>
public sealed class RaftNode : IAsyncDisposable
{
    private readonly RawNode _node;
    private readonly ReadyProcessor _readies;
    private readonly IStateMachine _state;
    private readonly ZapLogger _logger;
    private readonly TimeSpan _tickInterval;
    private readonly ConcurrentQueue<NodeInput> _inputs = new();
    private readonly ManualResetEventSlim _inputArrived = new(false, spinCount: 50);
    private readonly TaskCompletionSource _loopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private readonly ReadIndexRounds _reads;

    public RaftNode(RawNode node, ReadyProcessor readies, IStateMachine state, ZapLogger logger, TimeSpan tickInterval)
    {
        _node = node;
        _readies = readies;
        _state = state;
        _logger = logger;
        _tickInterval = tickInterval;
        readies.LeaderChanged += leader => LeaderChanged?.Invoke(leader);
        _reads = new ReadIndexRounds(logger, new RequestIdGenerator(readies.MemberId, DateTimeOffset.UtcNow));
        readies.ReadStateReceived += _reads.Accept;
        readies.Applied += _ => _reads.Release(state.AppliedIndex);
    }

    public ulong MemberId => _readies.MemberId;

    /// <summary>The leader this member knows of, 0 when none.</summary>
    public ulong Leader => _readies.Leader;

    public ulong Term => _readies.Term;

    public ulong CommitIndex => _readies.CommitIndex;

    public bool IsLeader => _readies.IsLeader;

    /// <summary>Index of the last entry applied to the state machine.</summary>
    public ulong AppliedIndex => _state.AppliedIndex;

    /// <summary>Raised on the loop when the leader changes (new leader id, 0 for none).</summary>
    public event Action<ulong>? LeaderChanged;

    public void Start()
    {
        var thread = new Thread(Run) { Name = "raft-loop", IsBackground = true };
        thread.Start();
    }

    /// <summary>Hands the loop a proposal; <paramref name="onDropped"/> runs if Raft refuses it.</summary>
    public void Propose(ByteString data, Action<RaftError> onDropped) =>
        Enqueue(new NodeInput(InputKind.Propose, data, null, onDropped));

    /// <summary>Proposes a membership change; <paramref name="onDropped"/> runs if Raft refuses it.</summary>
    public void ProposeConfChange(ConfChange change, Action<RaftError> onDropped) =>
        Enqueue(new NodeInput(InputKind.ProposeConfChange, null, null, onDropped, Change: change));

    public void Campaign() => Enqueue(new NodeInput(InputKind.Campaign, null, null, null));

    /// <summary>
    /// Campaigns once everything committed at start-up is applied. A lone voter need not wait
    /// out an election timeout (etcd fast-forwards its ticks), but Raft refuses to campaign while
    /// configuration entries are unapplied, as they are right after bootstrap.
    /// </summary>
    public void CampaignWhenCaughtUp() => _campaignAt = Math.Max(CommitIndex, 1);

    private ulong _campaignAt;

    public void Step(Message message) => Enqueue(new NodeInput(InputKind.Step, null, message, null));

    /// <summary>The transport could not deliver to <paramref name="peer"/>; Raft falls back to probing it.</summary>
    /// <remarks>Not a message to step: Raft refuses local message types from outside (a peer could forge them).</remarks>
    public void ReportUnreachable(ulong peer) => Enqueue(new NodeInput(InputKind.ReportUnreachable, null, null, null, Peer: peer));

    /// <summary>The outcome of sending a snapshot to <paramref name="peer"/>: after a failure Raft probes it again.</summary>
    public void ReportSnapshot(ulong peer, SnapshotStatus status) =>
        Enqueue(new NodeInput(InputKind.ReportSnapshot, null, null, null, Peer: peer, SnapshotStatus: status));

    /// <summary>Asks the leader to hand leadership to <paramref name="transferee"/> (etcd's MoveLeader).</summary>
    public void TransferLeadership(ulong transferee) => Enqueue(new NodeInput(InputKind.TransferLeader, null, null, null, Peer: transferee));

    /// <summary>Raft's view of replication (progress of every member on the leader), read on the loop.</summary>
    public Task<RaftStatus> StatusAsync()
    {
        var status = new TaskCompletionSource<RaftStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new NodeInput(InputKind.Status, null, null, error => status.TrySetException(new InvalidOperationException($"raft loop stopped ({error})")), status));
        return status.Task;
    }

    /// <summary>
    /// Ends the loop for good (a removed member stops this way); <see cref="Failed"/> is raised
    /// with <paramref name="reason"/> so the process shuts down.
    /// </summary>
    public void Stop(Exception reason)
    {
        _stopReason = reason;
        _stopping = true;
        _inputArrived.Set();
    }

    private Exception? _stopReason;

    /// <summary>
    /// Completes once this member has applied everything committed before the call, as confirmed
    /// by a ReadIndex round: after that a local read is linearizable (see <see cref="ReadIndexRounds"/>).
    /// </summary>
    public Task WaitLinearizableAsync(CancellationToken cancellationToken)
    {
        var ready = _reads.WaitAsync(cancellationToken, out var issue);
        if (issue) Enqueue(new NodeInput(InputKind.ReadIndex, null, null, null));
        return ready;
    }

    private void Enqueue(NodeInput input)
    {
        if (_stopping)
        {
            input.OnDropped?.Invoke(RaftError.ProposalDropped);
            return;
        }
        _inputs.Enqueue(input);
        _inputArrived.Set();
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        var nextTick = _tickInterval;
        try
        {
            while (!_stopping)
            {
                var untilTick = nextTick - clock.Elapsed;
                if (untilTick > TimeSpan.Zero) _inputArrived.Wait(untilTick);
                // Reset before draining: an input queued after the drain sets the event again.
                _inputArrived.Reset();
                if (clock.Elapsed >= nextTick)
                {
                    _node.Tick();
                    _reads.RetryUnanswered(_node, clock.Elapsed);
                    nextTick += _tickInterval;
                    // After a long stall, tick once rather than in a burst that would start elections.
                    if (clock.Elapsed > nextTick) nextTick = clock.Elapsed + _tickInterval;
                }
                // Take what is queued (bounded, so a flood of proposals cannot starve ticks and
                // applying), then turn it into as few Readies as possible.
                for (var taken = 0; taken < 4096 && _inputs.TryDequeue(out var input); taken++) Handle(input);
                if (!_inputs.IsEmpty) _inputArrived.Set();
                _readies.ProcessAll();
                if (_campaignAt != 0 && _state.AppliedIndex >= _campaignAt)
                {
                    _campaignAt = 0;
                    if (Leader == 0) _node.Campaign();
                    _readies.ProcessAll();
                }
            }
        }
        catch (Exception e)
        {
            // A failure to persist or apply leaves the member in an unknown state: stop serving
            // rather than acknowledge anything more (etcd panics here).
            _logger.Error("raft loop failed; member stops", LogField.Of("error", e.ToString()));
            Failed?.Invoke(e);
        }
        finally
        {
            _loopEnded.TrySetResult();
        }
        if (_stopReason is { } reason) Failed?.Invoke(reason);
    }

    /// <summary>Raised when the loop stops on an unrecoverable error.</summary>
    public event Action<Exception>? Failed;

    private void Handle(NodeInput input)
    {
        switch (input.Kind)
        {
            case InputKind.Propose:
                var error = _node.Propose(input.Data!);
                if (error != RaftError.None) input.OnDropped?.Invoke(error);
                break;
            case InputKind.ProposeConfChange:
                var refused = _node.ProposeConfChange(input.Change!);
                if (refused != RaftError.None) input.OnDropped?.Invoke(refused);
                break;
            case InputKind.Step:
                _node.Step(input.Message!);
                break;
            case InputKind.ReportUnreachable:
                _node.ReportUnreachable(input.Peer);
                break;
            case InputKind.ReportSnapshot:
                _node.ReportSnapshot(input.Peer, input.SnapshotStatus);
                break;
            case InputKind.TransferLeader:
                _node.TransferLeader(input.Peer);
                break;
            case InputKind.Campaign:
                _node.Campaign();
                break;
            case InputKind.ReadIndex:
                _reads.Issue(_node);
                break;
            case InputKind.Status:
                input.StatusReply!.TrySetResult(_node.Status());
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _inputArrived.Set();
        await _loopEnded.Task.ConfigureAwait(false);
        while (_inputs.TryDequeue(out var input)) input.OnDropped?.Invoke(RaftError.ProposalDropped);
        _reads.CancelAll();
        _inputArrived.Dispose();
    }

    private enum InputKind
    {
        Propose,
        Step,
        Campaign,
        ReadIndex,
        Status,
        ProposeConfChange,
        ReportUnreachable,
        ReportSnapshot,
        TransferLeader,
    }

    private readonly record struct NodeInput(InputKind Kind, ByteString? Data, Message? Message, Action<RaftError>? OnDropped,
        TaskCompletionSource<RaftStatus>? StatusReply = null, ConfChange? Change = null, ulong Peer = 0, SnapshotStatus SnapshotStatus = default);
}
