using System.Collections.Concurrent;
using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Core;

/// <summary>
/// Clients parked on their request id until the entry carrying it is applied. Completions run
/// their continuations asynchronously so the apply loop never executes client code.
/// </summary>
public sealed class ProposalWaiters : IDisposable
{
    // How often waiters past their deadline are failed. One sweep replaces a timer per request,
    // whose creation and removal contended on the runtime's timer-queue lock under load.
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<ulong, Pending> _waiting = new();
    // Started by the first registration with a timeout.
    private Timer? _sweep;

    /// <param name="request">
    /// The request as proposed, if the caller has it: the member that proposed an entry then
    /// applies this object instead of decoding the entry's bytes back into an equal one.
    /// </param>
    /// <param name="timeout">
    /// When set, the waiter fails with <see cref="TimeoutException"/> once it has waited this long
    /// (give or take the sweep period).
    /// </param>
    public Task<ApplyResult> Register(ulong id, InternalRaftRequest? request = null, TimeSpan? timeout = null)
    {
        var deadline = long.MaxValue;
        if (timeout is { } t)
        {
            deadline = Environment.TickCount64 + (long)t.TotalMilliseconds;
            if (_sweep is null) StartSweep();
        }
        var pending = new Pending(request, deadline);
        if (!_waiting.TryAdd(id, pending)) throw new InvalidOperationException($"duplicate request id {id:x}");
        return pending.Task;
    }

    /// <summary>The request registered under <paramref name="id"/>, if this member proposed it and still waits for it.</summary>
    public InternalRaftRequest? ProposedRequest(ulong id) =>
        id != 0 && _waiting.TryGetValue(id, out var pending) ? pending.Request : null;

    /// <summary>Completes the waiter of <paramref name="id"/>, if this member has one (it may be another's entry).</summary>
    public void Complete(ulong id, ApplyResult result)
    {
        if (_waiting.TryRemove(id, out var pending)) pending.TrySetResult(result);
    }

    /// <summary>Abandons a waiter (the client gave up or the proposal was dropped).</summary>
    public void Cancel(ulong id, Exception? error = null)
    {
        if (!_waiting.TryRemove(id, out var pending)) return;
        if (error is null) pending.TrySetCanceled();
        else pending.TrySetException(error);
    }

    /// <summary>Fails every waiter, when the server stops.</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in _waiting.Keys) Cancel(id, error);
    }

    private void StartSweep()
    {
        var sweep = new Timer(static state => ((ProposalWaiters)state!).FailExpired(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _sweep, sweep, null) is null) sweep.Change(SweepPeriod, SweepPeriod);
        else sweep.Dispose();
    }

    private void FailExpired()
    {
        var now = Environment.TickCount64;
        foreach (var (id, pending) in _waiting)
        {
            if (pending.Deadline <= now && _waiting.TryRemove(id, out var expired)) expired.TrySetException(new TimeoutException());
        }
    }

    public void Dispose() => _sweep?.Dispose();

    private sealed class Pending(InternalRaftRequest? request, long deadline) : TaskCompletionSource<ApplyResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public InternalRaftRequest? Request { get; } = request;

        /// <summary>Environment.TickCount64 after which the waiter fails.</summary>
        public long Deadline { get; } = deadline;
    }
}
