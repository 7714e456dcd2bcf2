using Etcd.Server.Api;

namespace Etcd.Server.Authentication;

/// <summary>
/// Lets a request wait until this member has applied a given Raft index. A simple token names
/// the index of the entry that installed it; a member that has not applied that entry yet (a
/// follower a little behind the member that answered Authenticate) waits instead of refusing.
/// </summary>
/// <remarks>
/// The index comes from the client, so anyone can name one that will never be applied. Waits are
/// therefore bounded in number (<see cref="Limit"/>: beyond it a wait is refused at once with
/// etcd's "too many requests") and in time (the caller's limit), and a wait that ends unfulfilled
/// leaves no trace behind.
/// </remarks>
public sealed class AppliedIndexWaits(ulong applied, int limit = AppliedIndexWaits.DefaultLimit)
{
    /// <summary>
    /// A lagging follower has a handful of fresh tokens in flight; thousands of parked requests
    /// waiting on indexes nobody applied is an attack, not lag.
    /// </summary>
    public const int DefaultLimit = 1024;

    private readonly HashSet<Waiter> _waiting = [];
    private readonly Lock _lock = new();
    private ulong _applied = applied;

    public ulong Applied => Volatile.Read(ref _applied);

    public int Limit { get; } = limit;

    /// <summary>Waits parked right now.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _waiting.Count;
        }
    }

    /// <summary>
    /// True once <paramref name="index"/> is applied; false when <paramref name="timeout"/> passes
    /// first. Throws etcd's "too many requests" when <see cref="Limit"/> waits are parked already;
    /// cancellation throws, as usual.
    /// </summary>
    public async Task<bool> WaitAsync(ulong index, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_applied >= index) return true;
            if (_waiting.Count >= Limit) throw EtcdErrors.RequestTooManyRequests;
            waiter = new Waiter(index);
            _waiting.Add(waiter);
        }
        try
        {
            await waiter.Done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_lock) _waiting.Remove(waiter);
        }
    }

    /// <summary>Called by the apply loop after each batch (one uncontended lock per batch, not per request).</summary>
    public void Advance(ulong applied)
    {
        lock (_lock)
        {
            _applied = applied;
            if (_waiting.Count == 0) return;
            foreach (var waiter in _waiting)
            {
                if (waiter.Index <= applied) waiter.Done.TrySetResult();
            }
            _waiting.RemoveWhere(waiter => waiter.Index <= applied);
        }
    }

    private sealed class Waiter(ulong index)
    {
        public ulong Index { get; } = index;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
