using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Logging;
using Grpc.Core;

namespace Etcd.Server.Leases;

/// <summary>
/// On the primary, turns expired leases into revocations proposed through Raft (so every member
/// deletes the keys at the same revision), and with checkpointing on, proposes the remaining
/// TTLs that are due. Rates are etcd's: at most 500 revocations per half second, 16 in flight.
/// </summary>
public sealed class LeaseExpiryLoop : IAsyncDisposable
{
    private const int RevokesPerRound = Lessor.RevokesPerSecond / 2;
    private const int RevokesInFlight = 16;
    private const int CheckpointsPerProposal = 1000;
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShortestWait = TimeSpan.FromMilliseconds(5);

    private readonly Lessor _lessor;
    private readonly Func<InternalRaftRequest, CancellationToken, Task> _propose;
    private readonly ZapLogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _inFlight = new(RevokesInFlight);
    private Task _loop = Task.CompletedTask;

    public LeaseExpiryLoop(Lessor lessor, Func<InternalRaftRequest, CancellationToken, Task> propose, ZapLogger logger, TimeProvider time)
    {
        _lessor = lessor;
        _propose = propose;
        _logger = logger;
        _time = time;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                foreach (var lease in _lessor.TakeExpired(RevokesPerRound))
                {
                    await _inFlight.WaitAsync(token).ConfigureAwait(false);
                    _ = RevokeAsync(lease.Id, token);
                }
                var checkpoints = _lessor.TakeDueCheckpoints(CheckpointsPerProposal);
                if (checkpoints.Count > 0) _ = CheckpointAsync(checkpoints, token);
                await Task.Delay(NextWait(), _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Half a second (etcd's period), or less when a queued expiry comes sooner.</summary>
    private TimeSpan NextWait()
    {
        if (_lessor.NextExpiry is not { } at) return Round;
        var wait = _time.GetElapsedTime(_time.GetTimestamp(), at);
        return wait < ShortestWait ? ShortestWait : wait > Round ? Round : wait;
    }

    private async Task RevokeAsync(long leaseId, CancellationToken token)
    {
        try
        {
            await _propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = leaseId } }, token).ConfigureAwait(false);
        }
        catch (EtcdException e) when (e.Is(EtcdErrors.LeaseNotFound))
        {
            // Revoked by a client meanwhile.
        }
        catch (EtcdException e)
        {
            _logger.Warn("failed to revoke lease", LogField.Of("lease-id", $"{leaseId:x16}"), LogField.Of("error", e.Message));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task CheckpointAsync(List<(long Id, long RemainingTtl)> checkpoints, CancellationToken token)
    {
        var request = new LeaseCheckpointRequest();
        foreach (var (id, remaining) in checkpoints) request.Checkpoints.Add(new LeaseCheckpoint { ID = id, RemainingTTL = remaining });
        try
        {
            await _propose(new InternalRaftRequest { LeaseCheckpoint = request }, token).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            _logger.Warn("failed to checkpoint leases", LogField.Of("error", e.Message));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
