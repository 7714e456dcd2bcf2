using System.Buffers.Binary;
using Etcd.Raft;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Google.Protobuf;

namespace Etcd.Server.Replication;

/// <summary>
/// Linearizable reads (etcd's linearizableReadNotify): a read may be served locally once this
/// member has applied everything committed before it arrived, as a ReadIndex round confirms.
/// Concurrent readers share one round; a reader that arrives while a round is in flight waits for
/// the next one, because the earlier round may predate its request. Used by <see cref="RaftNode"/>
/// on its loop, and by the simulator, which drives the same calls.
/// </summary>
/// <remarks><see cref="WaitAsync"/> is called from any thread; everything else on the Raft loop.</remarks>
/// <param name="contexts">
/// Where round contexts come from. They must never repeat across restarts (etcd uses request
/// ids, which embed the member and the start time): the leader's answer to a round of the
/// previous process may still arrive, and taken for a new round it would release that round's
/// readers at an index from before their writes were acknowledged (the cluster simulator found
/// it, seed 192: a member restarted, issued context 1 again, and served a stale read).
/// </param>
public sealed class ReadIndexRounds(ZapLogger logger, RequestIdGenerator contexts)
{
    // etcd's readIndexRetryTime: Raft drops a ReadIndex silently (no leader yet, a lost message,
    // a leader change), so one unanswered for this long is asked again with the same context.
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Round> _inFlight = [];
    private readonly List<(ulong Index, Round Round)> _awaitingApply = [];
    private Round? _open;
    private TimeSpan _lastRetry;

    /// <summary>
    /// Completes once a local read would be linearizable. True when the caller must have the loop
    /// call <see cref="Issue"/> (it opened a new round).
    /// </summary>
    public Task WaitAsync(CancellationToken cancellationToken, out bool issue)
    {
        Round round;
        issue = false;
        lock (_lock)
        {
            if (_open is null)
            {
                _open = new Round();
                issue = true;
            }
            round = _open;
        }
        return round.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Asks Raft for a read index on behalf of the readers gathered so far.</summary>
    public void Issue(RawNode node)
    {
        Round? round;
        lock (_lock)
        {
            round = _open;
            _open = null;
        }
        if (round is null) return;
        var context = contexts.Next();
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, context);
        round.Context = ByteString.CopyFrom(bytes);
        _inFlight.Add(context, round);
        node.ReadIndex(round.Context);
    }

    /// <summary>On a tick: rounds unanswered for a while are asked again.</summary>
    public void RetryUnanswered(RawNode node, TimeSpan now)
    {
        if (_inFlight.Count == 0 || now - _lastRetry < RetryAfter)
        {
            if (_inFlight.Count == 0) _lastRetry = now;
            return;
        }
        _lastRetry = now;
        foreach (var round in _inFlight.Values)
        {
            if (round.Retried++ == 0)
                logger.Warn("waiting for ReadIndex response took too long, retrying", LogField.Duration("retry-timeout", RetryAfter));
            node.ReadIndex(round.Context!);
        }
    }

    /// <summary>Raft answered a round: its readers wait until that index is applied.</summary>
    public void Accept(ReadState state)
    {
        if (state.RequestContext.Length != 8) return;
        var context = BinaryPrimitives.ReadUInt64BigEndian(state.RequestContext.Span);
        if (!_inFlight.Remove(context, out var round)) return;
        _awaitingApply.Add((state.Index, round));
    }

    /// <summary>The state machine reached <paramref name="applied"/>: the rounds it satisfies complete.</summary>
    public void Release(ulong applied)
    {
        for (var i = _awaitingApply.Count - 1; i >= 0; i--)
        {
            if (_awaitingApply[i].Index > applied) continue;
            _awaitingApply[i].Round.Completion.TrySetResult();
            _awaitingApply.RemoveAt(i);
        }
    }

    /// <summary>The loop stopped: every reader gives up.</summary>
    public void CancelAll()
    {
        lock (_lock) _open?.Completion.TrySetCanceled();
        foreach (var round in _inFlight.Values) round.Completion.TrySetCanceled();
        foreach (var (_, round) in _awaitingApply) round.Completion.TrySetCanceled();
    }

    private sealed class Round
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The ReadIndex request context (set when issued, reused by retries).</summary>
        public ByteString? Context { get; set; }

        public int Retried { get; set; }
    }
}
