namespace Etcd.Server.Authentication;

/// <summary>
/// Lets a request wait until this member has applied a given Raft index. A simple token names
/// the index of the entry that installed it; a member that has not applied that entry yet (a
/// follower a little behind the member that answered Authenticate) waits instead of refusing.
/// </summary>
public sealed class AppliedIndexWaits(ulong applied)
{
    private readonly List<(ulong Index, TaskCompletionSource Done)> _waiting = [];
    private readonly Lock _lock = new();
    private ulong _applied = applied;

    public ulong Applied => Volatile.Read(ref _applied);

    public Task WaitAsync(ulong index, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_applied >= index) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((index, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Called by the apply loop after each batch (one uncontended lock per batch, not per request).</summary>
    public void Advance(ulong applied)
    {
        lock (_lock)
        {
            _applied = applied;
            if (_waiting.Count == 0) return;
            _waiting.RemoveAll(waiter =>
            {
                if (waiter.Index > applied) return false;
                waiter.Done.TrySetResult();
                return true;
            });
        }
    }
}
