using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Server.Api;
using Etcd.Server.Configuration;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Replication;
using Etcd.Storage.Backend;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Core;

/// <summary>
/// One running member: what the client services call. Writes become Raft proposals and
/// complete when applied; linearizable reads wait for a ReadIndex round; both answer with
/// etcd's response header.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    /// <summary>The etcd version this server implements and reports.</summary>
    public const string Version = "3.5.17";

    /// <summary>The cluster version it sets (etcd uses major.minor.0).</summary>
    public const string ClusterVersion = "3.5.0";

    private readonly RequestIdGenerator _ids;
    private readonly TimeSpan _requestTimeout;
    private readonly IAsyncDisposable[] _owned;
    private readonly IDisposable[] _ownedSync;

    internal EtcdServer(EtcdConfig config, ZapLogger logger, State.MemberState state, RaftNode raft, ProposalWaiters waiters,
        IAsyncDisposable[] owned, IDisposable[] ownedSync)
    {
        Config = config;
        Logger = logger;
        State = state;
        Raft = raft;
        Waiters = waiters;
        _owned = owned;
        _ownedSync = ownedSync;
        _ids = new RequestIdGenerator(raft.MemberId, DateTimeOffset.UtcNow);
        _requestTimeout = RequestTimeoutFor(config);
    }

    public EtcdConfig Config { get; }

    /// <summary>The member's TLS for its client and peer ports (cleartext where the URLs say so).</summary>
    public Tls.MemberTls Tls { get; init; } = Etcd.Server.Tls.MemberTls.None;
    public ZapLogger Logger { get; }

    /// <summary>Everything this member replicates; its parts below are the same objects for the member's whole life.</summary>
    public State.MemberState State { get; }

    /// <summary>The backend, whose engine a leader's snapshot replaces underneath.</summary>
    public IBackend Backend => State.Backend;

    public KvStore Kv => State.Kv;

    public RaftNode Raft { get; }
    public ClusterMembers Members => State.Members;
    public ProposalWaiters Waiters { get; }

    /// <summary>The leases (replicated state plus, on the leader, their countdown).</summary>
    public Leases.Lessor Leases => State.Leases;

    /// <summary>Keep-alives and time-to-live, answered by the leader's lessor.</summary>
    public required Leases.LeaseRequests LeaseRequests { get; init; }

    /// <summary>Authenticate, always proposed by the leader.</summary>
    public required Peers.AuthenticateRequests AuthenticateRequests { get; init; }

    /// <summary>Every watcher of this member.</summary>
    public required Watch.WatchHub Watches { get; init; }

    /// <summary>The Cluster API's membership changes (add, remove, update, promote).</summary>
    public required Membership.MembershipChanges MembershipChanges { get; init; }

    /// <summary>Every other member's KV hash, for the corruption checks.</summary>
    public required Corruption.PeerHashes PeerHashes { get; init; }

    /// <summary>The v2 key tree (kept whether or not --enable-v2 serves it, as etcd 3.4 keeps it).</summary>
    public V2.Store.V2Store V2Store => State.V2Store;

    /// <summary>etcd's "require leader" for client streams.</summary>
    public required Watch.LeaderRequirement LeaderRequirement { get; init; }

    /// <summary>etcd's rule: a request may take 5 s plus two election timeouts before it times out.</summary>
    public static TimeSpan RequestTimeoutFor(EtcdConfig config) => TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(2 * config.ElectionMs);

    /// <summary>How long a request may take before etcd's "request timed out".</summary>
    public TimeSpan RequestTimeout => _requestTimeout;

    /// <summary>A fresh id from the same generator as request ids (etcd picks lease ids this way).</summary>
    public ulong NextRequestId() => _ids.Next();

    public ulong MemberId => Raft.MemberId;
    public ulong ClusterId => Members.ClusterId;

    /// <summary>Users, roles, permissions and whether auth is enabled (changed through Raft).</summary>
    public Authentication.AuthStore Auth => State.Auth;

    /// <summary>Who sent a request, from its token.</summary>
    public required Authentication.Callers Callers { get; init; }

    /// <summary>The bcrypt cost of new password hashes (--bcrypt-cost, etcd's default outside bcrypt's bounds).</summary>
    public int BcryptCost => Authentication.PasswordHash.EffectiveCost(Config.BcryptCost);

    /// <summary>The cluster's active alarms (NOSPACE refuses writes that grow the store).</summary>
    public State.AlarmList Alarms => State.Alarms;

    /// <summary>
    /// etcd's quota check before proposing a write: if it would take the backend past
    /// --quota-backend-bytes, raise the NOSPACE alarm through Raft and refuse the write.
    /// </summary>
    public async Task CheckQuotaAsync(int cost, CancellationToken cancellationToken)
    {
        if (BackendQuota.Fits(Backend.SizeBytes, cost, Config.EffectiveQuotaBytes)) return;
        var alarm = new AlarmRequest { MemberID = MemberId, Action = AlarmRequest.Types.AlarmAction.Activate, Alarm = AlarmType.Nospace };
        try
        {
            await ProposeAsync(new InternalRaftRequest { Alarm = alarm }, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            // The refusal below stands whether or not the alarm could be raised now.
        }
        throw EtcdErrors.NoSpace;
    }

    /// <summary>Completes when this member has published itself and can serve clients.</summary>
    public TaskCompletionSource ReadyToServe { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the client URLs are bound. etcd binds them before it publishes, so whoever
    /// reads "published local member" in the log (etcd's e2e tests, scripts) can connect at once.
    /// </summary>
    public TaskCompletionSource ClientsListening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResponseHeader Header(long revision) => new()
    {
        ClusterId = ClusterId,
        MemberId = MemberId,
        Revision = revision,
        RaftTerm = Raft.Term,
    };

    /// <summary>Fills the member-specific fields of a header the store made.</summary>
    public void FillHeader(ResponseHeader? header)
    {
        if (header is null) return;
        header.ClusterId = ClusterId;
        header.MemberId = MemberId;
        header.RaftTerm = Raft.Term;
    }

    /// <summary>
    /// Proposes the request through Raft and returns what applying it produced, or throws
    /// etcd's error. The request is refused before proposing when it is too large.
    /// </summary>
    public Task<IMessage> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken, Authentication.AuthInfo? caller = null) =>
        ProposeAsync(request, cancellationToken, caller, static result => result.Response!);

    /// <summary>
    /// Proposes a v2 request (etcd's Do for writes and quorum reads) and returns what applying it
    /// produced; Raft's failures (no leader, timeout) are thrown as gRPC errors.
    /// </summary>
    public Task<V2.Apply.V2Outcome> ProposeV2Async(Request request, CancellationToken cancellationToken) =>
        ProposeAsync(new InternalRaftRequest { V2 = request }, cancellationToken, caller: null, static result => result.V2 ?? new V2.Apply.V2Outcome(null, null));

    // One async method for the whole proposal (a put runs through it on every request); the
    // callers pick their part of the result.
    private async Task<T> ProposeAsync<T>(InternalRaftRequest request, CancellationToken cancellationToken, Authentication.AuthInfo? caller, Func<ApplyResult, T> pick)
    {
        var id = _ids.Next();
        request.Header = new RequestHeader { ID = id };
        if (caller is not null)
        {
            // Applying members check this identity against the auth store as of the entry.
            request.Header.Username = caller.Username;
            request.Header.AuthRevision = caller.Revision;
        }
        // etcd's v2 requests carry the id themselves.
        if (request.V2 is { } v2) v2.ID = id;
        var data = request.ToByteString();
        if ((ulong)data.Length > Config.MaxRequestBytes) throw EtcdErrors.RequestTooLarge;
        var waiter = Waiters.Register(id, request, _requestTimeout);
        Interlocked.Increment(ref Metrics.EtcdMetrics.ProposalsPending);
        Raft.Propose(data, error => Waiters.Cancel(id, error == RaftError.ProposalDropped && Raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Stopped));
        ApplyResult result;
        try
        {
            result = await waiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Waiters.Cancel(id);
            Interlocked.Increment(ref Metrics.EtcdMetrics.ProposalsFailed);
            throw Raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Waiters.Cancel(id);
            throw EtcdErrors.Canceled;
        }
        catch (EtcdException)
        {
            // Dropped by Raft (no leader, stopping): etcd counts these as failed proposals too.
            Interlocked.Increment(ref Metrics.EtcdMetrics.ProposalsFailed);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref Metrics.EtcdMetrics.ProposalsPending);
        }
        if (result.Error is not null) throw result.Error;
        return pick(result);
    }

    /// <summary>
    /// Proposes a client's request on behalf of whoever its token names; with auth disabled this
    /// is the plain proposal (no token is looked at).
    /// </summary>
    public Task<IMessage> ProposeAsync(InternalRaftRequest request, ServerCallContext context) =>
        Auth.Enabled ? ProposeAsCallerAsync(request, context) : ProposeAsync(request, context.CancellationToken);

    private async Task<IMessage> ProposeAsCallerAsync(InternalRaftRequest request, ServerCallContext context)
    {
        var caller = await Callers.ResolveAsync(context).ConfigureAwait(false);
        return await ProposeAsync(request, context.CancellationToken, caller).ConfigureAwait(false);
    }

    /// <summary>Waits until a local read would be linearizable (etcd's linearizableReadNotify).</summary>
    public async Task WaitLinearizableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Raft.WaitLinearizableAsync(cancellationToken).WaitAsync(_requestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Raft.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw EtcdErrors.Canceled;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync().ConfigureAwait(false);
        Waiters.FailAll(EtcdErrors.Stopped);
        Waiters.Dispose();
        foreach (var owned in _ownedSync) owned.Dispose();
    }
}
