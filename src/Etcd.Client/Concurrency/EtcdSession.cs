using Etcd.Api.Etcdserverpb;
using Grpc.Core;

namespace Etcd.Client.Concurrency;

/// <summary>
/// A lease kept alive in the background, the liveness token of locks and elections: when the
/// process dies the lease expires and the keys it holds go away. Same semantics as the Go
/// client's concurrency.Session.
/// </summary>
public sealed class EtcdSession : IAsyncDisposable
{
    private readonly EtcdClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _keepAlive;

    private EtcdSession(EtcdClient client, long leaseId, long ttl)
    {
        _client = client;
        LeaseId = leaseId;
        Ttl = ttl;
    }

    public long LeaseId { get; }

    public long Ttl { get; }

    public EtcdClient Client => _client;

    /// <summary>Completes when the lease can no longer be kept alive (expired, revoked or connection lost).</summary>
    public Task Done => _done.Task;

    /// <summary>Grants a lease with the given TTL (seconds) and starts keeping it alive.</summary>
    public static async Task<EtcdSession> CreateAsync(EtcdClient client, long ttlSeconds = 60, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        LeaseGrantResponse grant = await client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttlSeconds }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var session = new EtcdSession(client, grant.ID, grant.TTL);
        session._keepAlive = session.KeepAliveLoop();
        return session;
    }

    /// <summary>Stops the keep-alive and revokes the lease, deleting every key attached to it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_keepAlive is not null)
        {
            await _keepAlive.ConfigureAwait(false);
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, Ttl)));
            await _client.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = LeaseId }, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The lease expires on its own; revoking only makes that immediate.
        }

        _stop.Dispose();
    }

    // Renews after a third of the TTL, as the Go client does, until stopped or the lease is gone.
    private async Task KeepAliveLoop()
    {
        try
        {
            using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> stream = _client.Lease.LeaseKeepAlive(cancellationToken: _stop.Token);
            var interval = TimeSpan.FromSeconds(Math.Max(1, Ttl / 3.0));
            while (!_stop.IsCancellationRequested)
            {
                await stream.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = LeaseId }, _stop.Token).ConfigureAwait(false);
                if (!await stream.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false) || stream.ResponseStream.Current.TTL <= 0)
                {
                    break;
                }

                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RpcException)
        {
        }
        finally
        {
            _done.TrySetResult();
        }
    }
}
