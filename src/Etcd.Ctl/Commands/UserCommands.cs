using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;

namespace Etcd.Ctl.Commands;

/// <summary>user add, delete, get, list, passwd, grant-role and revoke-role.</summary>
public static class UserCommands
{
    public static CommandSpec Create() => new()
    {
        Name = "user",
        Use = "user <subcommand>",
        Short = "User related commands",
        Subcommands =
        [
            new CommandSpec
            {
                Name = "add",
                Use = "add <user name or user:password> [options]",
                Short = "Adds a new user",
                Flags =
                [
                    FlagSpec.Bool("interactive", "Read password from stdin instead of interactive terminal", defaultValue: true),
                    FlagSpec.String("new-user-password", "", "Supply password from the command line flag"),
                    FlagSpec.Bool("no-password", "Create a user without password (CN based auth only)"),
                ],
                Run = RunAdd,
            },
            new CommandSpec { Name = "delete", Use = "delete <user name>", Short = "Deletes a user", Run = RunDelete },
            new CommandSpec
            {
                Name = "get",
                Use = "get <user name> [options]",
                Short = "Gets detailed information of a user",
                Flags = [FlagSpec.Bool("detail", "Show permissions of roles granted to the user")],
                Run = RunGet,
            },
            new CommandSpec { Name = "list", Use = "list", Short = "Lists all users", Run = RunList },
            new CommandSpec
            {
                Name = "passwd",
                Use = "passwd <user name> [options]",
                Short = "Changes password of user",
                Flags = [FlagSpec.Bool("interactive", "If true, read password from stdin instead of interactive terminal", defaultValue: true)],
                Run = RunPasswd,
            },
            new CommandSpec { Name = "grant-role", Use = "grant-role <user name> <role name>", Short = "Grants a role to a user", Run = RunGrantRole },
            new CommandSpec { Name = "revoke-role", Use = "revoke-role <user name> <role name>", Short = "Revokes a role from a user", Run = RunRevokeRole },
        ],
    };

    private static async Task RunAdd(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw BadArgs("user add command requires user name as its argument");
        }

        var request = new AuthUserAddRequest { Options = new UserAddOptions() };
        if (ctx.Flags.GetBool("no-password"))
        {
            request.Name = ctx.Args[0];
            request.Options.NoPassword = true;
        }
        else if (ctx.Flags.GetString("new-user-password").Length > 0)
        {
            request.Name = ctx.Args[0];
            request.Password = ctx.Flags.GetString("new-user-password");
        }
        else
        {
            int colon = ctx.Args[0].IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                request.Name = ctx.Args[0];
                request.Password = ReadPassword(ctx, ctx.Args[0]);
            }
            else
            {
                request.Name = ctx.Args[0][..colon];
                request.Password = ctx.Args[0][(colon + 1)..];
                if (request.Name.Length == 0)
                {
                    throw BadArgs("empty user name is not allowed");
                }
            }
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthUserAddResponse response = await Call(ctx, client, client.Auth.UserAddAsync, request).ConfigureAwait(false);
        ctx.Printer.UserAdd(request.Name, response);
    }

    private static async Task RunDelete(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw BadArgs("user delete command requires user name as its argument");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthUserDeleteResponse response = await Call(ctx, client, client.Auth.UserDeleteAsync, new AuthUserDeleteRequest { Name = ctx.Args[0] }).ConfigureAwait(false);
        ctx.Printer.UserDelete(ctx.Args[0], response);
    }

    private static async Task RunGet(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw BadArgs("user get command requires user name as its argument");
        }

        string name = ctx.Args[0];
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthUserGetResponse response = await Call(ctx, client, client.Auth.UserGetAsync, new AuthUserGetRequest { Name = name }).ConfigureAwait(false);
        if (!ctx.Flags.GetBool("detail"))
        {
            ctx.Printer.UserGet(name, response);
            return;
        }

        ctx.Out.WriteLine("User: " + name);
        foreach (string role in response.Roles)
        {
            ctx.Out.WriteLine();
            AuthRoleGetResponse roleResponse = await Call(ctx, client, client.Auth.RoleGetAsync, new AuthRoleGetRequest { Role = role }).ConfigureAwait(false);
            ctx.Printer.RoleGet(role, roleResponse);
        }
    }

    private static async Task RunList(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 0)
        {
            throw BadArgs("user list command requires no arguments");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthUserListResponse response = await Call(ctx, client, client.Auth.UserListAsync, new AuthUserListRequest()).ConfigureAwait(false);
        ctx.Printer.UserList(response);
    }

    private static async Task RunPasswd(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw BadArgs("user passwd command requires user name as its argument");
        }

        var request = new AuthUserChangePasswordRequest { Name = ctx.Args[0], Password = ReadPassword(ctx, ctx.Args[0]) };
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthUserChangePasswordResponse response = await Call(ctx, client, client.Auth.UserChangePasswordAsync, request).ConfigureAwait(false);
        ctx.Printer.UserChangePassword(response);
    }

    private static async Task RunGrantRole(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 2)
        {
            throw BadArgs("user grant command requires user name and role name as its argument");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var request = new AuthUserGrantRoleRequest { User = ctx.Args[0], Role = ctx.Args[1] };
        AuthUserGrantRoleResponse response = await Call(ctx, client, client.Auth.UserGrantRoleAsync, request).ConfigureAwait(false);
        ctx.Printer.UserGrantRole(ctx.Args[0], ctx.Args[1], response);
    }

    private static async Task RunRevokeRole(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 2)
        {
            throw BadArgs("user revoke-role requires user name and role name as its argument");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var request = new AuthUserRevokeRoleRequest { Name = ctx.Args[0], Role = ctx.Args[1] };
        AuthUserRevokeRoleResponse response = await Call(ctx, client, client.Auth.UserRevokeRoleAsync, request).ConfigureAwait(false);
        ctx.Printer.UserRevokeRole(ctx.Args[0], ctx.Args[1], response);
    }

    /// <summary>User and role calls run without the command timeout, as in etcdctl.</summary>
    internal static Task<TResponse> Call<TRequest, TResponse>(
        CommandContext ctx,
        EtcdClient client,
        Func<TRequest, Grpc.Core.Metadata?, DateTime?, CancellationToken, Grpc.Core.AsyncUnaryCall<TResponse>> rpc,
        TRequest request)
        => ctx.CallAsync(client, _ => rpc(request, null, null, default), DateTime.MaxValue);

    // --interactive=false reads one word from stdin; otherwise ask twice on the terminal.
    private static string ReadPassword(CommandContext ctx, string user)
    {
        if (!ctx.Flags.GetBool("interactive"))
        {
            using var reader = new StreamReader(ctx.Invocation.OpenStdin());
            string text = reader.ReadToEnd();
            string[] words = text.Split([' ', '\t', '\n', '\r'], 2, StringSplitOptions.RemoveEmptyEntries);
            return words.Length > 0 ? words[0] : "";
        }

        string first = PasswordPrompt.Ask("Password of " + user + ": ", ctx.Out);
        if (first.Length == 0)
        {
            throw BadArgs("empty password");
        }

        string second = PasswordPrompt.Ask("Type password of " + user + " again for confirmation: ", ctx.Out);
        return first == second ? first : throw BadArgs("given passwords are different");
    }

    private static CtlExitException BadArgs(string message) => new(ExitCode.BadArgs, message);
}
