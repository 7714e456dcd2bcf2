using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Authentication;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>
/// etcd's Auth service. Every change, and (as in etcd 3.4) every user and role read, goes through
/// Raft, where the apply loop checks the caller's rights (<see cref="AuthApplier"/>). Passwords
/// are hashed here, before proposing, so neither the log nor the apply loop sees them or pays for
/// bcrypt.
/// </summary>
public sealed class AuthService(EtcdServer server) : Etcd.Api.Etcdserverpb.Auth.AuthBase
{
    public override async Task<AuthEnableResponse> AuthEnable(AuthEnableRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthEnableResponse>(new InternalRaftRequest { AuthEnable = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthDisableResponse> AuthDisable(AuthDisableRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthDisableResponse>(new InternalRaftRequest { AuthDisable = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthStatusResponse> AuthStatus(AuthStatusRequest request, ServerCallContext context)
    {
        await server.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
        var state = server.Auth.State;
        return new AuthStatusResponse { Header = server.Header(server.Kv.CurrentRevision), Enabled = state.Enabled, AuthRevision = state.Revision };
    }

    /// <summary>etcd's Authenticate, proposed by the leader (a follower asks it over the peer API).</summary>
    public override Task<AuthenticateResponse> Authenticate(AuthenticateRequest request, ServerCallContext context) =>
        server.AuthenticateRequests.AuthenticateAsync(request, context.CancellationToken);

    public override async Task<AuthUserAddResponse> UserAdd(AuthUserAddRequest request, ServerCallContext context)
    {
        if (request.Options?.NoPassword != true && request.HashedPassword.Length == 0)
        {
            request.HashedPassword = PasswordHash.Hash(request.Password, server.BcryptCost);
        }
        request.Password = "";
        return Filled(await Propose<AuthUserAddResponse>(new InternalRaftRequest { AuthUserAdd = request }, context).ConfigureAwait(false), r => r.Header);
    }

    public override async Task<AuthUserGetResponse> UserGet(AuthUserGetRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthUserGetResponse>(new InternalRaftRequest { AuthUserGet = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthUserListResponse> UserList(AuthUserListRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthUserListResponse>(new InternalRaftRequest { AuthUserList = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthUserDeleteResponse> UserDelete(AuthUserDeleteRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthUserDeleteResponse>(new InternalRaftRequest { AuthUserDelete = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthUserChangePasswordResponse> UserChangePassword(AuthUserChangePasswordRequest request, ServerCallContext context)
    {
        if (request.HashedPassword.Length == 0) request.HashedPassword = PasswordHash.Hash(request.Password, server.BcryptCost);
        request.Password = "";
        return Filled(await Propose<AuthUserChangePasswordResponse>(new InternalRaftRequest { AuthUserChangePassword = request }, context).ConfigureAwait(false), r => r.Header);
    }

    public override async Task<AuthUserGrantRoleResponse> UserGrantRole(AuthUserGrantRoleRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthUserGrantRoleResponse>(new InternalRaftRequest { AuthUserGrantRole = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthUserRevokeRoleResponse> UserRevokeRole(AuthUserRevokeRoleRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthUserRevokeRoleResponse>(new InternalRaftRequest { AuthUserRevokeRole = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthRoleAddResponse> RoleAdd(AuthRoleAddRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthRoleAddResponse>(new InternalRaftRequest { AuthRoleAdd = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthRoleGetResponse> RoleGet(AuthRoleGetRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthRoleGetResponse>(new InternalRaftRequest { AuthRoleGet = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthRoleListResponse> RoleList(AuthRoleListRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthRoleListResponse>(new InternalRaftRequest { AuthRoleList = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthRoleDeleteResponse> RoleDelete(AuthRoleDeleteRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthRoleDeleteResponse>(new InternalRaftRequest { AuthRoleDelete = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthRoleGrantPermissionResponse> RoleGrantPermission(AuthRoleGrantPermissionRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthRoleGrantPermissionResponse>(new InternalRaftRequest { AuthRoleGrantPermission = request }, context).ConfigureAwait(false), r => r.Header);

    public override async Task<AuthRoleRevokePermissionResponse> RoleRevokePermission(AuthRoleRevokePermissionRequest request, ServerCallContext context) =>
        Filled(await Propose<AuthRoleRevokePermissionResponse>(new InternalRaftRequest { AuthRoleRevokePermission = request }, context).ConfigureAwait(false), r => r.Header);

    private async Task<T> Propose<T>(InternalRaftRequest request, ServerCallContext context) =>
        (T)await server.ProposeAsync(request, context).ConfigureAwait(false);

    private T Filled<T>(T response, Func<T, ResponseHeader?> header)
    {
        server.FillHeader(header(response));
        return response;
    }
}
