using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Logging;
using Etcd.Server.V2.Store;
using Grpc.Core;

namespace Etcd.Server.V2.Apply;

/// <summary>
/// On the leader, every half second while some v2 node has a TTL, proposes a SYNC request with
/// the leader's clock (etcd's sync). Applying it expires the nodes whose time has passed, on
/// every member at the same index: expiry is decided by the log, not by each member's clock.
/// </summary>
public sealed class V2ExpiryLoop(V2Store store, Func<bool> isLeader, Func<Request, CancellationToken, Task> propose, ZapLogger logger, TimeProvider time)
    : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(Period, time, token).ConfigureAwait(false);
                if (!isLeader() || !store.HasTtlKeys) continue;
                // One at a time: a slow log must not pile up SYNCs behind it.
                await SyncAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task SyncAsync(CancellationToken token)
    {
        try
        {
            await propose(new Request { Method = "SYNC", Time = store.NowNanos }, token).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            logger.Warn("failed to sync v2 store expirations", LogField.Of("error", e.Message));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
