namespace Etcd.Ctl.V2;

/// <summary>
/// user, role and auth: the command tree and help pages of etcdctl v2. The v2 auth API calls
/// themselves are not implemented yet: each subcommand says so and exits 1.
/// </summary>
public static class V2AuthCommands
{
    private static readonly V2Flag Roles = V2Flag.StringSlice("roles", "List of roles to grant or revoke");

    public static V2Command User() => new()
    {
        Name = "user",
        Usage = "user add, grant and revoke subcommands",
        Subcommands =
        [
            Todo("add", "add a new user for the etcd cluster", "<user>"),
            Todo("get", "get details for a user", "<user>"),
            Todo("list", "list all current users", "<user>"),
            Todo("remove", "remove a user for the etcd cluster", "<user>"),
            Todo("grant", "grant roles to an etcd user", "<user>", [Roles]),
            Todo("revoke", "revoke roles for an etcd user", "<user>", [Roles]),
            Todo("passwd", "change password for a user", "<user>"),
        ],
    };

    public static V2Command Role() => new()
    {
        Name = "role",
        Usage = "role add, grant and revoke subcommands",
        Subcommands =
        [
            Todo("add", "add a new role for the etcd cluster", "<role> "),
            Todo("get", "get details for a role", "<role>"),
            Todo("list", "list all roles", " "),
            Todo("remove", "remove a role from the etcd cluster", "<role>"),
            Todo("grant", "grant path matches to an etcd role", "<role>", Permissions()),
            Todo("revoke", "revoke path matches for an etcd role", "<role>", Permissions()),
        ],
    };

    public static V2Command Auth() => new()
    {
        Name = "auth",
        Usage = "overall auth controls",
        Subcommands =
        [
            Todo("enable", "enable auth access controls", " "),
            Todo("disable", "disable auth access controls", " "),
        ],
    };

    private static List<V2Flag> Permissions() =>
    [
        V2Flag.String("path", "Path granted for the role to access"),
        V2Flag.Bool("read", "Grant read-only access"),
        V2Flag.Bool("write", "Grant write-only access"),
        V2Flag.Bool("readwrite, rw", "Grant read-write access"),
    ];

    private static V2Command Todo(string name, string usage, string argsUsage, IReadOnlyList<V2Flag>? flags = null) => new()
    {
        Name = name,
        Usage = usage,
        ArgsUsage = argsUsage,
        Flags = flags ?? [],
        Action = c => throw c.Exit(1, c.CommandPath + ": the v2 auth API commands are not implemented by this etcdctl yet"),
    };
}
