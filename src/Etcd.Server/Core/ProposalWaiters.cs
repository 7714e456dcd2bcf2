using System.Collections.Concurrent;

namespace Etcd.Server.Core;

/// <summary>
/// Clients parked on their request id until the entry carrying it is applied. Completions run
/// their continuations asynchronously so the apply loop never executes client code.
/// </summary>
public sealed class ProposalWaiters
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<ApplyResult>> _waiting = new();

    public Task<ApplyResult> Register(ulong id)
    {
        var completion = new TaskCompletionSource<ApplyResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(id, completion)) throw new InvalidOperationException($"duplicate request id {id:x}");
        return completion.Task;
    }

    /// <summary>Completes the waiter of <paramref name="id"/>, if this member has one (it may be another's entry).</summary>
    public void Complete(ulong id, ApplyResult result)
    {
        if (_waiting.TryRemove(id, out var completion)) completion.TrySetResult(result);
    }

    /// <summary>Abandons a waiter (the client gave up or the proposal was dropped).</summary>
    public void Cancel(ulong id, Exception? error = null)
    {
        if (!_waiting.TryRemove(id, out var completion)) return;
        if (error is null) completion.TrySetCanceled();
        else completion.TrySetException(error);
    }

    /// <summary>Fails every waiter, when the server stops.</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in _waiting.Keys) Cancel(id, error);
    }
}
