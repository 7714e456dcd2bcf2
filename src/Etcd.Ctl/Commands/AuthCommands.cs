using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Commands;

/// <summary>auth enable, disable and status.</summary>
public static class AuthCommands
{
    public static CommandSpec Create() => new()
    {
        Name = "auth",
        Use = "auth <enable or disable>",
        Short = "Enable or disable authentication",
        Subcommands =
        [
            new CommandSpec { Name = "enable", Use = "enable", Short = "Enables authentication", Run = RunEnable },
            new CommandSpec { Name = "disable", Use = "disable", Short = "Disables authentication", Run = RunDisable },
            new CommandSpec { Name = "status", Use = "status", Short = "Returns authentication status", Run = RunStatus },
        ],
    };

    private static async Task RunEnable(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        NoArguments(ctx, "auth enable");
        DateTime deadline = ctx.CommandDeadline();
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        while (true)
        {
            try
            {
                await ctx.CallAsync(client, d => client.Auth.AuthEnableAsync(new AuthEnableRequest(), deadline: d), deadline).ConfigureAwait(false);
                break;
            }
            catch (CallFailedException e) when (e.Message == "etcdserver: root user does not have root role")
            {
                // Like etcdctl, create the root role and give it to root, then try again.
                await ctx.CallAsync(client, d => client.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = "root" }, deadline: d), deadline).ConfigureAwait(false);
                var grant = new AuthUserGrantRoleRequest { User = "root", Role = "root" };
                await ctx.CallAsync(client, d => client.Auth.UserGrantRoleAsync(grant, deadline: d), deadline).ConfigureAwait(false);
            }
        }

        ctx.Out.WriteLine("Authentication Enabled");
    }

    private static async Task RunDisable(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        NoArguments(ctx, "auth disable");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        await ctx.CallAsync(client, d => client.Auth.AuthDisableAsync(new AuthDisableRequest(), deadline: d)).ConfigureAwait(false);
        ctx.Out.WriteLine("Authentication Disabled");
    }

    private static async Task RunStatus(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        NoArguments(ctx, "auth status");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AuthStatusResponse response = await ctx.CallAsync(client, d => client.Auth.AuthStatusAsync(new AuthStatusRequest(), deadline: d)).ConfigureAwait(false);
        switch (ctx.Printer)
        {
            case Printers.SimplePrinter:
                ctx.Out.WriteLine("Authentication Status: " + GoText.Bool(response.Enabled));
                ctx.Out.WriteLine("AuthRevision: " + GoText.Dec(response.AuthRevision));
                break;
            case Printers.JsonPrinter:
                var w = new GoJsonWriter();
                w.BeginObject();
                Printers.PbJson.Header(w, "header", response.Header);
                w.Bool("enabled", response.Enabled, true).UInt("authRevision", response.AuthRevision, true).EndObject();
                ctx.Out.WriteLine(w.ToString());
                break;
            case Printers.ProtobufPrinter:
                ctx.Out.Write(Google.Protobuf.MessageExtensions.ToByteArray(response));
                break;
            default:
                throw new CtlExitException(ExitCode.BadFeature, ctx.Printer.Format + " not supported as output format");
        }
    }

    internal static void NoArguments(CommandContext ctx, string command)
    {
        if (ctx.Args.Count != 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, command + " command does not accept any arguments");
        }
    }

    /// <summary>READ, WRITE or READWRITE, any case.</summary>
    internal static Permission.Types.Type PermissionType(string text) => text.ToUpperInvariant() switch
    {
        "READ" => Permission.Types.Type.Read,
        "WRITE" => Permission.Types.Type.Write,
        "READWRITE" => Permission.Types.Type.Readwrite,
        _ => throw new CtlExitException(ExitCode.BadArgs, "invalid permission type: " + text),
    };
}
