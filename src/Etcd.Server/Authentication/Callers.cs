using System.Security.Cryptography.X509Certificates;
using Etcd.Server.Api;
using Grpc.Core;

namespace Etcd.Server.Authentication;

/// <summary>
/// Finds who sent a request from its gRPC metadata: the simple token in "token" (etcd's clients)
/// or "authorization" (the JSON gateway's header), looked up in the member's token table.
/// </summary>
public sealed class Callers(AuthStore store, AppliedIndexWaits applied, TimeSpan waitLimit)
{
    /// <summary>
    /// The caller, or null when the request carries no token; etcd's "invalid auth token" for a
    /// token this member does not know (expired, never issued, or its user deleted).
    /// </summary>
    /// <remarks>Only consulted while auth is enabled: with auth off no token is looked at.</remarks>
    public async ValueTask<AuthInfo?> ResolveAsync(Metadata headers, CancellationToken cancellationToken)
    {
        var token = headers.GetValue("token") ?? headers.GetValue("authorization");
        if (token is null) return null;
        // A JWT names its user and the auth revision it was signed at; any member verifies it.
        if (store.Jwt is { } jwt) return jwt.Verify(token) ?? throw EtcdErrors.InvalidAuthToken;
        if (SimpleTokens.IndexOf(token) is not { } index) throw EtcdErrors.InvalidAuthToken;
        // Issued by an entry this member has not applied yet: wait for it, bounded in time and in
        // the number of waits, so made-up indexes can neither hold a request forever nor pile up.
        if (index > applied.Applied && !await applied.WaitAsync(index, waitLimit, cancellationToken).ConfigureAwait(false))
        {
            throw EtcdErrors.InvalidAuthToken;
        }
        var user = store.Tokens.Use(token) ?? throw EtcdErrors.InvalidAuthToken;
        return new AuthInfo(user, store.Revision);
    }

    /// <summary>
    /// --client-cert-auth: a call without a token is made by the user named by the common name of
    /// its verified client certificate (etcd's AuthInfoFromTLS), except calls relayed by the JSON
    /// gateway, whose certificate is this member's own (they carry "grpcgateway-accept").
    /// </summary>
    public bool CommonNameIsUser { get; init; }

    public async ValueTask<AuthInfo?> ResolveAsync(ServerCallContext context)
    {
        var caller = await ResolveAsync(context.RequestHeaders, context.CancellationToken).ConfigureAwait(false);
        if (caller is not null || !CommonNameIsUser || context.RequestHeaders.Get("grpcgateway-accept") is not null) return caller;
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        var name = certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(name) ? null : new AuthInfo(name, store.Revision);
    }

    /// <summary>The caller must hold the root role (maintenance, membership): throws etcd's error otherwise.</summary>
    public async ValueTask RequireAdminAsync(ServerCallContext context)
    {
        if (!store.Enabled) return;
        var caller = await ResolveAsync(context).ConfigureAwait(false);
        if (store.CheckAdmin(caller) is { } refused) throw refused;
    }

    /// <summary>
    /// The root check of the Maintenance RPCs (hash, snapshot, defragment). etcd 3.4 returns
    /// these refusals unconverted, so clients see code Unknown and the auth store's own text
    /// ("auth: permission denied"); etcdctl prints exactly that.
    /// </summary>
    public async ValueTask RequireAdminUnconvertedAsync(ServerCallContext context)
    {
        if (!store.Enabled) return;
        EtcdException? refused;
        try
        {
            refused = store.CheckAdmin(await ResolveAsync(context).ConfigureAwait(false));
        }
        catch (EtcdException e)
        {
            refused = e;
        }
        if (refused is not null) throw Unconverted(refused);
    }

    private static EtcdException Unconverted(EtcdException error)
    {
        var text = error.Message switch
        {
            "etcdserver: user name not found" => "auth: user not found",
            var detail when detail.StartsWith("etcdserver: ", StringComparison.Ordinal) => "auth: " + detail["etcdserver: ".Length..],
            var detail => detail,
        };
        return EtcdErrors.Unknown(text);
    }

    /// <summary>
    /// Checks a read of [key, rangeEnd) done outside Raft and returns the caller, whose revision
    /// <see cref="CheckUnchanged"/> compares once the read is done.
    /// </summary>
    public async ValueTask<AuthInfo> RequireReadAsync(ServerCallContext context, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd)
    {
        var caller = await ResolveAsync(context).ConfigureAwait(false) ?? AuthInfo.Anonymous;
        if (store.CheckRange(caller, key.Span, rangeEnd.Span) is { } refused) throw refused;
        return caller;
    }

    /// <summary>etcd refuses a read whose permission check the auth store has since moved past.</summary>
    public void CheckUnchanged(AuthInfo caller)
    {
        if (caller.Revision != 0 && caller.Revision != store.Revision) throw EtcdErrors.AuthOldRevision;
    }
}
