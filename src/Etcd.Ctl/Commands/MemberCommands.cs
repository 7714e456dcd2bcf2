using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Ctl.Printers;

namespace Etcd.Ctl.Commands;

/// <summary>member add, remove, update, list and promote.</summary>
public static class MemberCommands
{
    public static CommandSpec Create() => new()
    {
        Name = "member",
        Use = "member <subcommand>",
        Short = "Membership related commands",
        Subcommands =
        [
            new CommandSpec
            {
                Name = "add",
                Use = "add <memberName> [options]",
                Short = "Adds a member into the cluster",
                Flags =
                [
                    FlagSpec.String("peer-urls", "", "comma separated peer URLs for the new member."),
                    FlagSpec.Bool("learner", "indicates if the new member is raft learner"),
                ],
                Run = RunAdd,
            },
            new CommandSpec { Name = "remove", Use = "remove <memberID>", Short = "Removes a member from the cluster", Run = RunRemove },
            new CommandSpec
            {
                Name = "update",
                Use = "update <memberID> [options]",
                Short = "Updates a member in the cluster",
                Flags = [FlagSpec.String("peer-urls", "", "comma separated peer URLs for the updated member.")],
                Run = RunUpdate,
            },
            new CommandSpec
            {
                Name = "list",
                Use = "list",
                Short = "Lists all members in the cluster",
                Long = """
                    When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.
                    The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.

                    """,
                Run = RunList,
            },
            new CommandSpec
            {
                Name = "promote",
                Use = "promote <memberID>",
                Short = "Promotes a non-voting member in the cluster",
                Long = """
                    Promotes a non-voting learner member to a voting one in the cluster.

                    """,
                Run = RunPromote,
            },
        ],
    };

    private static async Task RunAdd(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count < 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "member name not provided");
        }

        if (ctx.Args.Count > 1)
        {
            string message = "too many arguments";
            foreach (string a in ctx.Args)
            {
                if (a.StartsWith("http", StringComparison.OrdinalIgnoreCase))
                {
                    message += ", did you mean --peer-urls=" + a;
                }
            }

            throw new CtlExitException(ExitCode.BadArgs, message);
        }

        string name = ctx.Args[0];
        string peerUrls = ctx.Flags.GetString("peer-urls");
        if (peerUrls.Length == 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "member peer urls not provided");
        }

        var request = new MemberAddRequest { IsLearner = ctx.Flags.GetBool("learner") };
        request.PeerURLs.AddRange(peerUrls.Split(','));
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        MemberAddResponse response = await ctx.CallAsync(client, d => client.Cluster.MemberAddAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Printer.MemberAdd(response);
        if (ctx.Printer is SimplePrinter)
        {
            ulong newId = response.Member?.ID ?? 0;
            var cluster = new List<string>();
            foreach (Member m in response.Members)
            {
                foreach (string url in m.PeerURLs)
                {
                    cluster.Add((m.ID == newId ? name : m.Name) + "=" + url);
                }
            }

            ctx.Out.WriteLine();
            ctx.Out.WriteLine("ETCD_NAME=" + GoText.QuoteString(name));
            ctx.Out.WriteLine("ETCD_INITIAL_CLUSTER=" + GoText.QuoteString(string.Join(",", cluster)));
            ctx.Out.WriteLine("ETCD_INITIAL_ADVERTISE_PEER_URLS=" + GoText.QuoteString(peerUrls));
            ctx.Out.WriteLine("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
        }
    }

    private static async Task RunRemove(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        ulong id = MemberId(ctx);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var request = new MemberRemoveRequest { ID = id };
        MemberRemoveResponse response = await ctx.CallAsync(client, d => client.Cluster.MemberRemoveAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Printer.MemberRemove(id, response);
    }

    private static async Task RunUpdate(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        ulong id = MemberId(ctx);
        string peerUrls = ctx.Flags.GetString("peer-urls");
        if (peerUrls.Length == 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "member peer urls not provided");
        }

        var request = new MemberUpdateRequest { ID = id };
        request.PeerURLs.AddRange(peerUrls.Split(','));
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        MemberUpdateResponse response = await ctx.CallAsync(client, d => client.Cluster.MemberUpdateAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Printer.MemberUpdate(id, response);
    }

    private static async Task RunList(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        MemberListResponse response = await ctx.CallAsync(client, d => client.Cluster.MemberListAsync(new MemberListRequest(), deadline: d)).ConfigureAwait(false);
        ctx.Printer.MemberList(response);
    }

    private static async Task RunPromote(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        ulong id = MemberId(ctx);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var request = new MemberPromoteRequest { ID = id };
        MemberPromoteResponse response = await ctx.CallAsync(client, d => client.Cluster.MemberPromoteAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Printer.MemberPromote(id, response);
    }

    private static ulong MemberId(CommandContext ctx)
    {
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "member ID is not provided");
        }

        string text = ctx.Args[0];
        return ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong id)
            ? id
            : throw new CtlExitException(ExitCode.BadArgs, "bad member ID arg (strconv.ParseUint: parsing " + GoText.QuoteString(text) + ": invalid syntax), expecting ID in Hex");
    }
}
