using System.Text;
using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Api;
using Etcd.Server.Logging;
using Google.Protobuf;

namespace Etcd.Server.Authentication;

/// <summary>
/// The auth store's changes, applied from Raft entries on the apply loop: each writes the auth
/// buckets in the entry's batch and then publishes the next state. A refused change throws
/// etcd's error and changes nothing. Responses carry only the batch's revision in their header.
/// </summary>
public sealed partial class AuthStore
{
    public AuthEnableResponse Enable(ApplyBatch batch)
    {
        var state = _state;
        if (state.Enabled)
        {
            _logger.Info("authentication is already enabled; ignored auth enable request");
            return new AuthEnableResponse { Header = Header(batch) };
        }
        if (!state.Users.TryGetValue(AuthState.RootUser, out var root)) throw EtcdErrors.RootUserNotExist;
        if (!AuthState.HasRootRole(root)) throw EtcdErrors.RootRoleNotExist;
        AuthBuckets.SaveEnabled(batch, true);
        _state = state.With(enabled: true);
        _logger.Info("enabled authentication");
        return new AuthEnableResponse { Header = Header(batch) };
    }

    public AuthDisableResponse Disable(ApplyBatch batch)
    {
        var state = _state;
        if (state.Enabled)
        {
            AuthBuckets.SaveEnabled(batch, false);
            Publish(batch, state.With(enabled: false));
            Tokens.Clear();
            _logger.Info("disabled authentication");
        }
        return new AuthDisableResponse { Header = Header(batch) };
    }

    /// <summary>
    /// Installs the simple token the proposer chose, or signs a JWT (which every member signs,
    /// and only the proposer hands out); the password was checked before proposing.
    /// </summary>
    public AuthenticateResponse Authenticate(ApplyBatch batch, InternalAuthenticateRequest request, ulong index)
    {
        var state = _state;
        if (!state.Enabled) throw EtcdErrors.AuthNotEnabled;
        if (!state.Users.TryGetValue(request.Name, out var user) || user.Options?.NoPassword == true) throw EtcdErrors.AuthFailed;
        if (Jwt is { } jwt) return new AuthenticateResponse { Header = Header(batch), Token = jwt.Sign(request.Name, state.Revision) };
        var token = SimpleTokens.Format(request.SimpleToken, index);
        Tokens.Assign(token, request.Name);
        return new AuthenticateResponse { Header = Header(batch), Token = token };
    }

    /// <summary>Adds a user with the bcrypt hash computed before proposing (hashedPassword).</summary>
    public AuthUserAddResponse UserAdd(ApplyBatch batch, AuthUserAddRequest request)
    {
        if (request.Name.Length == 0) throw EtcdErrors.UserEmpty;
        var state = _state;
        if (state.Users.ContainsKey(request.Name)) throw EtcdErrors.UserAlreadyExist;
        var user = new User
        {
            Name = ByteString.CopyFromUtf8(request.Name),
            Password = request.Options?.NoPassword == true ? ByteString.Empty : ByteString.CopyFromUtf8(request.HashedPassword),
            Options = request.Options ?? new UserAddOptions(),
        };
        SaveUser(batch, state, user);
        _logger.Info("added a user", LogField.Of("user-name", request.Name));
        return new AuthUserAddResponse { Header = Header(batch) };
    }

    public AuthUserDeleteResponse UserDelete(ApplyBatch batch, AuthUserDeleteRequest request)
    {
        var state = _state;
        if (state.Enabled && request.Name == AuthState.RootUser)
        {
            _logger.Warn("cannot delete 'root' user", LogField.Of("user-name", request.Name));
            throw EtcdErrors.InvalidAuthMgmt;
        }
        if (!state.Users.ContainsKey(request.Name)) throw EtcdErrors.UserNotFound;
        AuthBuckets.DeleteUser(batch, request.Name);
        var users = Copy(state.Users);
        users.Remove(request.Name);
        Publish(batch, state.With(users: users));
        Tokens.InvalidateUser(request.Name);
        _logger.Info("deleted a user", LogField.Of("user-name", request.Name));
        return new AuthUserDeleteResponse { Header = Header(batch) };
    }

    public AuthUserChangePasswordResponse UserChangePassword(ApplyBatch batch, AuthUserChangePasswordRequest request)
    {
        var state = _state;
        if (!state.Users.TryGetValue(request.Name, out var found)) throw EtcdErrors.UserNotFound;
        var user = found.Clone();
        user.Password = ByteString.CopyFromUtf8(request.HashedPassword);
        SaveUser(batch, state, user);
        Tokens.InvalidateUser(request.Name);
        _logger.Info("changed a password of a user", LogField.Of("user-name", request.Name));
        return new AuthUserChangePasswordResponse { Header = Header(batch) };
    }

    public AuthUserGrantRoleResponse UserGrantRole(ApplyBatch batch, AuthUserGrantRoleRequest request)
    {
        var state = _state;
        if (!state.Users.TryGetValue(request.User, out var found)) throw EtcdErrors.UserNotFound;
        // The root role need not exist as a role: granting it is what makes a user root.
        if (request.Role != AuthState.RootRole && !state.Roles.ContainsKey(request.Role)) throw EtcdErrors.RoleNotFound;
        if (found.Roles.Contains(request.Role))
        {
            _logger.Warn("ignored grant role request to a user", LogField.Of("user-name", request.User), LogField.Of("duplicate-role-name", request.Role));
            return new AuthUserGrantRoleResponse { Header = Header(batch) };
        }
        var user = found.Clone();
        var roles = user.Roles.Append(request.Role).Order(StringComparer.Ordinal).ToList();
        user.Roles.Clear();
        user.Roles.Add(roles);
        SaveUser(batch, state, user);
        _logger.Info("granted a role to a user", LogField.Of("user-name", request.User), LogField.Of("added-role-name", request.Role));
        return new AuthUserGrantRoleResponse { Header = Header(batch) };
    }

    public AuthUserGetResponse UserGet(ApplyBatch batch, AuthUserGetRequest request)
    {
        if (!_state.Users.TryGetValue(request.Name, out var user)) throw EtcdErrors.UserNotFound;
        var response = new AuthUserGetResponse { Header = Header(batch) };
        response.Roles.Add(user.Roles);
        return response;
    }

    public AuthUserListResponse UserList(ApplyBatch batch)
    {
        var response = new AuthUserListResponse { Header = Header(batch) };
        response.Users.Add(InKeyOrder(_state.Users.Keys));
        return response;
    }

    public AuthUserRevokeRoleResponse UserRevokeRole(ApplyBatch batch, AuthUserRevokeRoleRequest request)
    {
        var state = _state;
        if (state.Enabled && request.Name == AuthState.RootUser && request.Role == AuthState.RootRole)
        {
            _logger.Warn("'root' user cannot revoke 'root' role", LogField.Of("user-name", request.Name), LogField.Of("role-name", request.Role));
            throw EtcdErrors.InvalidAuthMgmt;
        }
        if (!state.Users.TryGetValue(request.Name, out var found)) throw EtcdErrors.UserNotFound;
        if (!found.Roles.Contains(request.Role)) throw EtcdErrors.RoleNotGranted;
        var user = found.Clone();
        user.Roles.Remove(request.Role);
        SaveUser(batch, state, user);
        _logger.Info("revoked a role from a user", LogField.Of("user-name", request.Name), LogField.Of("revoked-role-name", request.Role));
        return new AuthUserRevokeRoleResponse { Header = Header(batch) };
    }

    public AuthRoleAddResponse RoleAdd(ApplyBatch batch, AuthRoleAddRequest request)
    {
        if (request.Name.Length == 0) throw EtcdErrors.RoleEmpty;
        var state = _state;
        if (state.Roles.ContainsKey(request.Name)) throw EtcdErrors.RoleAlreadyExist;
        SaveRole(batch, state, new Role { Name = ByteString.CopyFromUtf8(request.Name) });
        _logger.Info("created a role", LogField.Of("role-name", request.Name));
        return new AuthRoleAddResponse { Header = Header(batch) };
    }

    public AuthRoleGetResponse RoleGet(ApplyBatch batch, AuthRoleGetRequest request)
    {
        if (!_state.Roles.TryGetValue(request.Role, out var role)) throw EtcdErrors.RoleNotFound;
        var response = new AuthRoleGetResponse { Header = Header(batch) };
        response.Perm.Add(role.KeyPermission);
        return response;
    }

    public AuthRoleListResponse RoleList(ApplyBatch batch)
    {
        var response = new AuthRoleListResponse { Header = Header(batch) };
        response.Roles.Add(InKeyOrder(_state.Roles.Keys));
        return response;
    }

    public AuthRoleDeleteResponse RoleDelete(ApplyBatch batch, AuthRoleDeleteRequest request)
    {
        var state = _state;
        if (state.Enabled && request.Role == AuthState.RootRole)
        {
            _logger.Warn("cannot delete 'root' role", LogField.Of("role-name", request.Role));
            throw EtcdErrors.InvalidAuthMgmt;
        }
        if (!state.Roles.ContainsKey(request.Role)) throw EtcdErrors.RoleNotFound;
        AuthBuckets.DeleteRole(batch, request.Role);
        var roles = Copy(state.Roles);
        roles.Remove(request.Role);
        // Users holding the role lose it in the same change.
        var users = Copy(state.Users);
        foreach (var (name, user) in state.Users)
        {
            if (!user.Roles.Contains(request.Role)) continue;
            var updated = user.Clone();
            updated.Roles.Remove(request.Role);
            users[name] = updated;
            AuthBuckets.SaveUser(batch, updated);
        }
        Publish(batch, state.With(users: users, roles: roles));
        _logger.Info("deleted a role", LogField.Of("role-name", request.Role));
        return new AuthRoleDeleteResponse { Header = Header(batch) };
    }

    /// <summary>
    /// Grants (or changes the type of) a permission. As in etcd, permissions stay sorted by key
    /// and an existing one is found by looking at the first permission with a key not below the
    /// new one's.
    /// </summary>
    public AuthRoleGrantPermissionResponse RoleGrantPermission(ApplyBatch batch, AuthRoleGrantPermissionRequest request)
    {
        var state = _state;
        if (!state.Roles.TryGetValue(request.Name, out var found)) throw EtcdErrors.RoleNotFound;
        var granted = request.Perm ?? new Permission();
        var role = found.Clone();
        var permissions = role.KeyPermission;
        var at = 0;
        while (at < permissions.Count && permissions[at].Key.Span.SequenceCompareTo(granted.Key.Span) < 0) at++;
        if (at < permissions.Count && permissions[at].Key.Equals(granted.Key) && permissions[at].RangeEnd.Equals(granted.RangeEnd))
        {
            permissions[at].PermType = granted.PermType;
        }
        else
        {
            var sorted = permissions.Append(new Permission { Key = granted.Key, RangeEnd = granted.RangeEnd, PermType = granted.PermType })
                .OrderBy(p => p.Key.ToByteArray(), ByteOrder.Instance).ToList();
            permissions.Clear();
            permissions.Add(sorted);
        }
        SaveRole(batch, state, role);
        _logger.Info("granted/updated a permission to a user", LogField.Of("user-name", request.Name), LogField.Of("permission-name", granted.PermType.ToString().ToUpperInvariant()));
        return new AuthRoleGrantPermissionResponse { Header = Header(batch) };
    }

    public AuthRoleRevokePermissionResponse RoleRevokePermission(ApplyBatch batch, AuthRoleRevokePermissionRequest request)
    {
        var state = _state;
        if (!state.Roles.TryGetValue(request.Role, out var found)) throw EtcdErrors.RoleNotFound;
        var role = found.Clone();
        var removed = 0;
        for (var i = role.KeyPermission.Count - 1; i >= 0; i--)
        {
            var permission = role.KeyPermission[i];
            if (!permission.Key.Equals(request.Key) || !permission.RangeEnd.Equals(request.RangeEnd)) continue;
            role.KeyPermission.RemoveAt(i);
            removed++;
        }
        if (removed == 0) throw EtcdErrors.PermissionNotGranted;
        SaveRole(batch, state, role);
        _logger.Info("revoked a permission on range", LogField.Of("role-name", request.Role),
            LogField.Of("key", request.Key.ToStringUtf8()), LogField.Of("range-end", request.RangeEnd.ToStringUtf8()));
        return new AuthRoleRevokePermissionResponse { Header = Header(batch) };
    }

    private void SaveUser(ApplyBatch batch, AuthState state, User user)
    {
        AuthBuckets.SaveUser(batch, user);
        var users = Copy(state.Users);
        users[user.Name.ToStringUtf8()] = user;
        Publish(batch, state.With(users: users));
    }

    private void SaveRole(ApplyBatch batch, AuthState state, Role role)
    {
        AuthBuckets.SaveRole(batch, role);
        var roles = Copy(state.Roles);
        roles[role.Name.ToStringUtf8()] = role;
        Publish(batch, state.With(roles: roles));
    }

    // Every change of users, roles or permissions is a new auth revision, stored with it.
    private void Publish(ApplyBatch batch, AuthState next)
    {
        var revision = next.Revision + 1;
        AuthBuckets.SaveRevision(batch, revision);
        _state = next.With(revision: revision);
    }

    private static Dictionary<string, T> Copy<T>(IReadOnlyDictionary<string, T> source) => new(source, StringComparer.Ordinal);

    private static ResponseHeader Header(ApplyBatch batch) => new() { Revision = batch.Revision };

    // etcd lists users and roles in the order of their keys in the bucket: by UTF-8 bytes.
    private static IEnumerable<string> InKeyOrder(IEnumerable<string> names) =>
        names.OrderBy(Encoding.UTF8.GetBytes, ByteOrder.Instance);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
