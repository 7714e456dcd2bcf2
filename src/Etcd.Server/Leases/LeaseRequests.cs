using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Peers;
using Grpc.Core;

namespace Etcd.Server.Leases;

/// <summary>
/// Keep-alives and time-to-live questions. Only the primary lessor (the leader's) counts leases
/// down, so it alone answers them; any other member asks the leader, as etcd does, and a client
/// connected to a follower sees the same answers as one connected to the leader.
/// </summary>
public sealed class LeaseRequests(Func<EtcdServer> server, LeaderCalls leader)
{
    private static EtcdException NotPrimary => EtcdErrors.NotPrimaryLessor;

    private EtcdServer Server => server();
    private Lessor Lessor => Server.Leases;

    /// <summary>Renews lease <paramref name="id"/>: its TTL, or 0 when it does not exist (any more).</summary>
    public async Task<long> RenewAsync(long id, CancellationToken token)
    {
        while (true)
        {
            if (await TryRenewAsPrimaryAsync(id, token).ConfigureAwait(false) is { } ttl) return ttl;
            if (IsLeader)
            {
                // Elected a moment ago: the lessor is promoted once the leader's first entry applies.
                await WaitPrimaryAsync(token).ConfigureAwait(false);
                continue;
            }
            var response = await leader.CallAsync((client, options) =>
                client.LeaseRenewAsync(new LeaseKeepAliveRequest { ID = id }, options).ResponseAsync, token).ConfigureAwait(false);
            if (response is not null) return response.TTL;
        }
    }

    /// <summary>A follower's renewal, on the leader; FAILED_PRECONDITION if this member is not primary.</summary>
    public async Task<long> RenewForFollowerAsync(long id, CancellationToken token) =>
        await TryRenewAsPrimaryAsync(id, token).ConfigureAwait(false) ?? throw NotPrimary;

    /// <summary>The lease's remaining and granted TTL (-1 when it does not exist), and its keys if asked.</summary>
    public async Task<LeaseTimeToLiveResponse> TimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken token)
    {
        while (true)
        {
            if (TryTimeToLiveAsPrimary(request) is { } answer) return answer;
            if (IsLeader)
            {
                await WaitPrimaryAsync(token).ConfigureAwait(false);
                continue;
            }
            var response = await leader.CallAsync((client, options) =>
                client.LeaseTimeToLiveAsync(request, options).ResponseAsync, token).ConfigureAwait(false);
            if (response is null) continue;
            // etcd keeps the leader's revision and heads the rest as this member.
            response.Header = Server.Header(response.Header?.Revision ?? Server.Kv.CurrentRevision);
            return response;
        }
    }

    /// <summary>A follower's time-to-live question, on the leader; FAILED_PRECONDITION if this member is not primary.</summary>
    public LeaseTimeToLiveResponse TimeToLiveForFollower(LeaseTimeToLiveRequest request) => TryTimeToLiveAsPrimary(request) ?? throw NotPrimary;

    private bool IsLeader => Server.Raft.Leader == Server.Raft.MemberId;

    // The new TTL, 0 if there is no such lease; null when this member is not the primary lessor.
    private async Task<long?> TryRenewAsPrimaryAsync(long id, CancellationToken token)
    {
        while (true)
        {
            var attempt = Lessor.BeginRenew(id);
            switch (attempt.State)
            {
                case RenewState.NotPrimary:
                    return null;
                case RenewState.NotFound:
                    return 0;
                case RenewState.Expired:
                    // Its revocation is on the way: answer once it is applied (or leadership moved).
                    await Task.WhenAny(attempt.Lease!.WhenRevoked, attempt.Wait!).WaitAsync(token).ConfigureAwait(false);
                    break;
                case RenewState.ClearCheckpoint:
                    var clear = new LeaseCheckpointRequest();
                    clear.Checkpoints.Add(new LeaseCheckpoint { ID = id, RemainingTTL = 0 });
                    await Server.ProposeAsync(new InternalRaftRequest { LeaseCheckpoint = clear }, token).ConfigureAwait(false);
                    break;
                case RenewState.Renewable:
                    // A leader cut off from the others still counts leases down until it steps
                    // down, while the new leader may revoke one: confirm the leadership with a
                    // ReadIndex round first (etcd 3.5.13's ensureLeadership), and let the caller
                    // go to the leader when it moved.
                    await Server.WaitLinearizableAsync(token).ConfigureAwait(false);
                    if (!IsLeader) return null;
                    if (Lessor.Renew(attempt.Lease!)) return attempt.Lease!.Ttl;
                    break;
            }
        }
    }

    private LeaseTimeToLiveResponse? TryTimeToLiveAsPrimary(LeaseTimeToLiveRequest request)
    {
        if (!Lessor.IsPrimary) return null;
        var server = Server;
        var header = server.Header(server.Kv.CurrentRevision);
        if (Lessor.Lookup(request.ID) is not { } lease)
            return new LeaseTimeToLiveResponse { Header = header, ID = request.ID, TTL = -1 };
        var response = new LeaseTimeToLiveResponse { Header = header, ID = request.ID, TTL = Lessor.RemainingSeconds(lease), GrantedTTL = lease.Ttl };
        if (request.Keys)
        {
            foreach (var key in server.Kv.KeysWithLease(lease.Id)) response.Keys.Add(Google.Protobuf.UnsafeByteOperations.UnsafeWrap(key));
        }
        return response;
    }

    private async Task WaitPrimaryAsync(CancellationToken token)
    {
        var primary = Lessor.WhenPrimary;
        if (primary.IsCompleted) return;
        try
        {
            await primary.WaitAsync(Server.RequestTimeout, token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Server.Raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        }
    }
}
