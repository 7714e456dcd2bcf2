using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Authentication;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// etcd's Authenticate, always proposed by the leader itself. A follower hands the request (name
/// and password) to the leader over the peer API instead of forwarding an Authenticate entry: the
/// leader drops forwarded Authenticate entries (<see cref="PeerMessageCheck"/>), since the entry
/// names the token it installs and a forged one would mint a token its forger knows.
/// </summary>
public sealed class AuthenticateRequests(Func<EtcdServer> server, LeaderCalls leader)
{
    /// <summary>The leader's refusal of a follower's request when it is not the leader (any more).</summary>
    public const string NotLeader = "not leader";

    private EtcdServer Server => server();

    private bool IsLeader => Server.Raft.Leader == Server.Raft.MemberId;

    public async Task<AuthenticateResponse> AuthenticateAsync(AuthenticateRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (IsLeader) return await IssueAsync(request, cancellationToken).ConfigureAwait(false);
            var answer = await leader.CallAsync((client, options) => AskLeaderAsync(client, request, options), cancellationToken).ConfigureAwait(false);
            if (answer is null) continue;
            if (answer.Refused is { } refused) throw refused;
            // The leader's token and revision, headed as this member (as etcd heads forwarded answers).
            var response = answer.Response!;
            response.Header = Server.Header(response.Header?.Revision ?? Server.Kv.CurrentRevision);
            return response;
        }
    }

    /// <summary>A follower's request, on the leader; refused with <see cref="NotLeader"/> elsewhere.</summary>
    public Task<AuthenticateResponse> AuthenticateForFollowerAsync(AuthenticateRequest request, CancellationToken cancellationToken) =>
        IsLeader ? IssueAsync(request, cancellationToken) : throw PeerRejection.Rejected(StatusCode.FailedPrecondition, NotLeader);

    // The leader's answer, a verdict included (a wrong password is final); anything else (not the
    // leader, unreachable) makes LeaderCalls try again.
    private static async Task<LeaderAnswer> AskLeaderAsync(Peers.Protocol.RaftPeer.RaftPeerClient client, AuthenticateRequest request, CallOptions options)
    {
        try
        {
            return new LeaderAnswer(await client.AuthenticateAsync(request, options).ResponseAsync.ConfigureAwait(false), null);
        }
        catch (RpcException e) when (e.StatusCode is not (StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.DeadlineExceeded or StatusCode.Unimplemented)
            && e.Status.Detail != NotLeader && !e.Status.Detail.StartsWith("etcdserver: request timed out", StringComparison.Ordinal))
        {
            return new LeaderAnswer(null, EtcdException.From(e));
        }
    }

    /// <summary>
    /// The password is checked against this member's store, then an entry installs the token on
    /// every member. If the store changed in between (a password changed, a user deleted), the
    /// check is done again.
    /// </summary>
    private async Task<AuthenticateResponse> IssueAsync(AuthenticateRequest request, CancellationToken cancellationToken)
    {
        var server = Server;
        await server.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            ulong checkedAt;
            try
            {
                checkedAt = server.Auth.CheckPassword(request.Name, request.Password);
            }
            catch (EtcdException e) when (e.Code != StatusCode.FailedPrecondition)
            {
                server.Logger.Warn("invalid authentication was requested", Logging.LogField.Of("user", request.Name), Logging.LogField.Of("error", e.Message));
                throw;
            }
            var entry = new InternalRaftRequest { Authenticate = new InternalAuthenticateRequest { Name = request.Name, SimpleToken = server.Auth.Jwt is null ? SimpleTokens.NewPrefix() : "" } };
            // No caller identity: a client renewing its token may still send the expired one.
            var response = (AuthenticateResponse)await server.ProposeAsync(entry, cancellationToken).ConfigureAwait(false);
            if (checkedAt == server.Auth.Revision)
            {
                server.FillHeader(response.Header);
                return response;
            }
            server.Logger.Info("revision when password checked became stale; retrying");
        }
    }

    private sealed record LeaderAnswer(AuthenticateResponse? Response, EtcdException? Refused);
}
