using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Google.Protobuf;

namespace Etcd.Ctl.Commands;

/// <summary>role add, delete, get, list, grant-permission and revoke-permission.</summary>
public static class RoleCommands
{
    public static CommandSpec Create() => new()
    {
        Name = "role",
        Use = "role <subcommand>",
        Short = "Role related commands",
        Subcommands =
        [
            new CommandSpec { Name = "add", Use = "add <role name>", Short = "Adds a new role", Run = RunAdd },
            new CommandSpec { Name = "delete", Use = "delete <role name>", Short = "Deletes a role", Run = RunDelete },
            new CommandSpec { Name = "get", Use = "get <role name>", Short = "Gets detailed information of a role", Run = RunGet },
            new CommandSpec { Name = "list", Use = "list", Short = "Lists all roles", Run = RunList },
            new CommandSpec
            {
                Name = "grant-permission",
                Use = "grant-permission [options] <role name> <permission type> <key> [endkey]",
                Short = "Grants a key to a role",
                Flags =
                [
                    FlagSpec.Bool("prefix", "grant a prefix permission"),
                    FlagSpec.Bool("from-key", "grant a permission of keys that are greater than or equal to the given key using byte compare"),
                ],
                Run = RunGrant,
            },
            new CommandSpec
            {
                Name = "revoke-permission",
                Use = "revoke-permission <role name> <key> [endkey]",
                Short = "Revokes a key from a role",
                Flags =
                [
                    FlagSpec.Bool("prefix", "revoke a prefix permission"),
                    FlagSpec.Bool("from-key", "revoke a permission of keys that are greater than or equal to the given key using byte compare"),
                ],
                Run = RunRevoke,
            },
        ],
    };

    private static async Task RunAdd(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        string role = OneRole(ctx, "role add command requires role name as its argument");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthRoleAddResponse response = await UserCommands.Call(ctx, client, client.Auth.RoleAddAsync, new AuthRoleAddRequest { Name = role }).ConfigureAwait(false);
        ctx.Printer.RoleAdd(role, response);
    }

    private static async Task RunDelete(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        string role = OneRole(ctx, "role delete command requires role name as its argument");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthRoleDeleteResponse response = await UserCommands.Call(ctx, client, client.Auth.RoleDeleteAsync, new AuthRoleDeleteRequest { Role = role }).ConfigureAwait(false);
        ctx.Printer.RoleDelete(role, response);
    }

    private static async Task RunGet(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        string role = OneRole(ctx, "role get command requires role name as its argument");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthRoleGetResponse response = await UserCommands.Call(ctx, client, client.Auth.RoleGetAsync, new AuthRoleGetRequest { Role = role }).ConfigureAwait(false);
        ctx.Printer.RoleGet(role, response);
    }

    private static async Task RunList(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "role list command requires no arguments");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthRoleListResponse response = await UserCommands.Call(ctx, client, client.Auth.RoleListAsync, new AuthRoleListRequest()).ConfigureAwait(false);
        ctx.Printer.RoleList(response);
    }

    private static async Task RunGrant(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count < 3)
        {
            throw new CtlExitException(ExitCode.BadArgs, "role grant command requires role name, permission type, and key [endkey] as its argument");
        }

        Permission.Types.Type type = AuthCommands.PermissionType(ctx.Args[1]);
        (ByteString key, ByteString end) = PermissionRange(ctx, [.. ctx.Args.Skip(2)]);
        var request = new AuthRoleGrantPermissionRequest
        {
            Name = ctx.Args[0],
            Perm = new Permission { PermType = type, Key = key, RangeEnd = end },
        };
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthRoleGrantPermissionResponse response = await UserCommands.Call(ctx, client, client.Auth.RoleGrantPermissionAsync, request).ConfigureAwait(false);
        ctx.Printer.RoleGrantPermission(ctx.Args[0], response);
    }

    private static async Task RunRevoke(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count < 2)
        {
            throw new CtlExitException(ExitCode.BadArgs, "role revoke-permission command requires role name and key [endkey] as its argument");
        }

        (ByteString key, ByteString end) = PermissionRange(ctx, [.. ctx.Args.Skip(1)]);
        var request = new AuthRoleRevokePermissionRequest { Role = ctx.Args[0], Key = key, RangeEnd = end };
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthRoleRevokePermissionResponse response = await UserCommands.Call(ctx, client, client.Auth.RoleRevokePermissionAsync, request).ConfigureAwait(false);
        ctx.Printer.RoleRevokePermission(ctx.Args[0], ctx.Args[1], end.ToStringUtf8(), response);
    }

    private static string OneRole(CommandContext ctx, string usage)
        => ctx.Args.Count == 1 ? ctx.Args[0] : throw new CtlExitException(ExitCode.BadArgs, usage);

    // The key range a permission covers, from the key arguments and --prefix / --from-key.
    private static (ByteString Key, ByteString End) PermissionRange(CommandContext ctx, string[] args)
    {
        bool prefix = ctx.Flags.GetBool("prefix");
        bool fromKey = ctx.Flags.GetBool("from-key");
        string key = args[0];
        if (key.Length == 0)
        {
            if (prefix && fromKey)
            {
                throw new CtlExitException(ExitCode.BadArgs, "--from-key and --prefix flags are mutually exclusive");
            }

            // An empty key means the whole key space, which the server models as ["\0", ...).
            return (KeyRange.FromKeyEnd, prefix || fromKey ? KeyRange.FromKeyEnd : ByteString.Empty);
        }

        if (args.Length == 1)
        {
            if (prefix)
            {
                if (fromKey)
                {
                    throw new CtlExitException(ExitCode.BadArgs, "--from-key and --prefix flags are mutually exclusive");
                }

                ByteString bytes = KvRequests.Bytes(key);
                return (bytes, KeyRange.PrefixEnd(bytes));
            }

            return (KvRequests.Bytes(key), fromKey ? KeyRange.FromKeyEnd : ByteString.Empty);
        }

        if (prefix)
        {
            throw new CtlExitException(ExitCode.BadArgs, "unexpected endkey argument with --prefix flag");
        }

        if (fromKey)
        {
            throw new CtlExitException(ExitCode.BadArgs, "unexpected endkey argument with --from-key flag");
        }

        return (KvRequests.Bytes(key), KvRequests.Bytes(args[1]));
    }
}
