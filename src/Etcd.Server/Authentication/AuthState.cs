using Etcd.Api.Authpb;

namespace Etcd.Server.Authentication;

/// <summary>
/// One version of the auth store: never changed once built. Applying an auth change builds the
/// next one and publishes it in a single reference write, so request threads read a consistent
/// state without locks.
/// </summary>
public sealed class AuthState
{
    public const string RootUser = "root";
    public const string RootRole = "root";

    public AuthState(bool enabled, ulong revision, IReadOnlyDictionary<string, User> users, IReadOnlyDictionary<string, Role> roles)
    {
        Enabled = enabled;
        Revision = revision;
        Users = users;
        Roles = roles;
        var permissions = new Dictionary<string, UserPermissions>(users.Count, StringComparer.Ordinal);
        foreach (var (name, user) in users) permissions[name] = UserPermissions.Of(user, roles);
        Permissions = permissions;
    }

    public bool Enabled { get; }

    /// <summary>Bumped by every change of users, roles or permissions (not by enabling or tokens).</summary>
    public ulong Revision { get; }

    public IReadOnlyDictionary<string, User> Users { get; }
    public IReadOnlyDictionary<string, Role> Roles { get; }

    /// <summary>Each user's merged permissions, built with the state.</summary>
    public IReadOnlyDictionary<string, UserPermissions> Permissions { get; }

    public AuthState With(bool? enabled = null, ulong? revision = null, IReadOnlyDictionary<string, User>? users = null, IReadOnlyDictionary<string, Role>? roles = null) =>
        new(enabled ?? Enabled, revision ?? Revision, users ?? Users, roles ?? Roles);

    public static bool HasRootRole(User user) => user.Roles.Contains(RootRole);
}
