using Etcd.Api.Authpb;
using Etcd.Server.Api;
using Etcd.Server.Logging;
using Etcd.Storage.Backend;
using Grpc.Core;

namespace Etcd.Server.Authentication;

/// <summary>
/// etcd's auth store: users, roles, their key permissions, whether auth is enabled, and the
/// revision that every change bumps. Changed only by applied Raft entries (AuthStore.Apply.cs);
/// read by request threads through the immutable <see cref="AuthState"/> it publishes. The
/// checks return etcd's error, or null when the request may go ahead.
/// </summary>
public sealed partial class AuthStore
{
    private volatile AuthState _state;
    private readonly ZapLogger _logger;

    public AuthStore(AuthState state, SimpleTokens tokens, ZapLogger logger, JwtTokens? jwt = null)
    {
        _state = state;
        Tokens = tokens;
        Jwt = jwt;
        _logger = logger;
    }

    public static AuthStore Load(IBackend backend, SimpleTokens tokens, ZapLogger logger, JwtTokens? jwt = null)
    {
        using var view = backend.Snapshot();
        return new AuthStore(AuthBuckets.Load(view), tokens, logger, jwt);
    }

    /// <summary>The only cost auth adds to a request while it is disabled: one field read.</summary>
    public bool Enabled => _state.Enabled;

    public ulong Revision => _state.Revision;

    public AuthState State => _state;

    public SimpleTokens Tokens { get; }

    /// <summary>Set with --auth-token jwt: tokens are signed, and <see cref="Tokens"/> stays empty.</summary>
    public JwtTokens? Jwt { get; }

    /// <summary>The backend was replaced by a snapshot's: the store becomes what that backend holds.</summary>
    public void Recover(IBackendReader reader)
    {
        _state = AuthBuckets.Load(reader);
        if (!_state.Enabled) Tokens.Clear();
    }

    /// <summary>etcd's isOpPermitted: may <paramref name="info"/> read (or write) [key, rangeEnd)?</summary>
    public EtcdException? CheckKeys(AuthInfo info, ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd, bool write)
    {
        var state = _state;
        if (!state.Enabled) return null;
        // Only an identity without a token has revision 0.
        if (info.Revision == 0) return EtcdErrors.UserEmpty;
        if (info.Revision < state.Revision)
        {
            _logger.Warn("request auth revision is less than current node auth revision",
                LogField.Of("current node auth revision", state.Revision), LogField.Of("request auth revision", info.Revision));
            return EtcdErrors.AuthOldRevision;
        }
        if (!state.Users.TryGetValue(info.Username, out var user)) return EtcdErrors.PermissionDenied;
        if (AuthState.HasRootRole(user)) return null;
        return state.Permissions.TryGetValue(info.Username, out var permissions) && permissions.Permits(key, rangeEnd, write)
            ? null
            : EtcdErrors.PermissionDenied;
    }

    public EtcdException? CheckRange(AuthInfo info, ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd) => CheckKeys(info, key, rangeEnd, write: false);

    public EtcdException? CheckPut(AuthInfo info, ReadOnlySpan<byte> key) => CheckKeys(info, key, [], write: true);

    public EtcdException? CheckDelete(AuthInfo info, ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd) => CheckKeys(info, key, rangeEnd, write: true);

    /// <summary>etcd's IsAdminPermitted: only users with the root role administer (once auth is enabled).</summary>
    public EtcdException? CheckAdmin(AuthInfo? info)
    {
        var state = _state;
        if (!state.Enabled) return null;
        if (info is null || info.Username.Length == 0) return EtcdErrors.UserEmpty;
        if (!state.Users.TryGetValue(info.Username, out var user)) return EtcdErrors.UserNotFound;
        return AuthState.HasRootRole(user) ? null : EtcdErrors.PermissionDenied;
    }

    public bool HasRole(string user, string role) => _state.Users.TryGetValue(user, out var found) && found.Roles.Contains(role);

    /// <summary>
    /// etcd's CheckPassword, done before proposing Authenticate (so the entry carries no
    /// password): returns the revision the password was checked at.
    /// </summary>
    public ulong CheckPassword(string name, string password)
    {
        var state = _state;
        if (!state.Enabled) throw EtcdErrors.AuthNotEnabled;
        if (!state.Users.TryGetValue(name, out var user)) throw EtcdErrors.AuthFailed;
        if (user.Options?.NoPassword == true) throw EtcdErrors.NoPasswordUser;
        if (!PasswordHash.Verify(password, user.Password.Span))
        {
            _logger.Info("invalid password", LogField.Of("user-name", name));
            throw EtcdErrors.AuthFailed;
        }
        return state.Revision;
    }
}
