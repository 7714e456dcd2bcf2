using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Leases;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>
/// etcd's Lease service. Grant and Revoke go through Raft; keep-alives and time-to-live are
/// answered by the primary lessor, which alone counts leases down (see <see cref="LeaseRequests"/>).
/// </summary>
public sealed class LeaseService(EtcdServer server) : Etcd.Api.Etcdserverpb.Lease.LeaseBase
{
    private Lessor Lessor => server.Leases;

    public override async Task<LeaseGrantResponse> LeaseGrant(LeaseGrantRequest request, ServerCallContext context)
    {
        // etcd picks an unused-looking id from its request ids, kept positive.
        while (request.ID == 0) request.ID = (long)(server.NextRequestId() & long.MaxValue);
        // A lease costs backend space too: past the quota, etcd refuses grants as it does puts.
        await server.CheckQuotaAsync(BackendQuota.LeaseOverhead, context.CancellationToken).ConfigureAwait(false);
        var response = (LeaseGrantResponse)await server.ProposeAsync(new InternalRaftRequest { LeaseGrant = request }, context).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public override async Task<LeaseRevokeResponse> LeaseRevoke(LeaseRevokeRequest request, ServerCallContext context)
    {
        var response = (LeaseRevokeResponse)await server.ProposeAsync(new InternalRaftRequest { LeaseRevoke = request }, context).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public override async Task<LeaseTimeToLiveResponse> LeaseTimeToLive(LeaseTimeToLiveRequest request, ServerCallContext context)
    {
        if (server.Auth.Enabled) await CheckLeaseReadableAsync(request.ID, context).ConfigureAwait(false);
        return await server.LeaseRequests.TimeToLiveAsync(request, context.CancellationToken).ConfigureAwait(false);
    }

    // etcd 3.5: with auth on, a lease's time-to-live shows its keys, so the caller must be able to read them all.
    private async Task CheckLeaseReadableAsync(long leaseId, ServerCallContext context)
    {
        var caller = await server.Callers.ResolveAsync(context).ConfigureAwait(false) ?? throw EtcdErrors.UserEmpty;
        foreach (var key in server.Kv.KeysWithLease(leaseId))
        {
            if (server.Auth.CheckRange(caller, key, []) is { } refused) throw refused;
        }
    }

    public override Task<LeaseLeasesResponse> LeaseLeases(LeaseLeasesRequest request, ServerCallContext context)
    {
        var response = new LeaseLeasesResponse { Header = server.Header(server.Kv.CurrentRevision) };
        foreach (var lease in Lessor.List()) response.Leases.Add(new LeaseStatus { ID = lease.Id });
        return Task.FromResult(response);
    }

    public override async Task LeaseKeepAlive(IAsyncStreamReader<LeaseKeepAliveRequest> requestStream, IServerStreamWriter<LeaseKeepAliveResponse> responseStream, ServerCallContext context)
    {
        using var leaderRequired = server.LeaderRequirement.Enter(context);
        var token = leaderRequired?.Token ?? context.CancellationToken;
        try
        {
            while (await requestStream.MoveNext(token).ConfigureAwait(false))
            {
                var id = requestStream.Current.ID;
                // The header is taken before renewing, so its revision is never later than the
                // renewal: a client must not see a keep-alive succeed after the revoking revision.
                var response = new LeaseKeepAliveResponse { ID = id, Header = server.Header(server.Kv.CurrentRevision) };
                response.TTL = await server.LeaseRequests.RenewAsync(id, token).ConfigureAwait(false);
                await responseStream.WriteAsync(response, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (leaderRequired?.LeaderLost == true)
        {
            throw EtcdErrors.NoLeader;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested)
        {
            // The client went away (etcd's keep-alive-once cancels its stream after one answer):
            // nothing is left to tell it, and returning spares rethrowing through the call.
        }
    }
}
