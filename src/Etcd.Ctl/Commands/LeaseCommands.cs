using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Ctl.Printers;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>lease grant, revoke, timetolive, list and keep-alive.</summary>
public static class LeaseCommands
{
    public static CommandSpec Create() => new()
    {
        Name = "lease",
        Use = "lease <subcommand>",
        Short = "Lease related commands",
        Subcommands =
        [
            new CommandSpec { Name = "grant", Use = "grant <ttl>", Short = "Creates leases", Run = RunGrant },
            new CommandSpec { Name = "revoke", Use = "revoke <leaseID>", Short = "Revokes leases", Run = RunRevoke },
            new CommandSpec
            {
                Name = "timetolive",
                Use = "timetolive <leaseID> [options]",
                Short = "Get lease information",
                Flags = [FlagSpec.Bool("keys", "Get keys attached to this lease")],
                Run = RunTimeToLive,
            },
            new CommandSpec { Name = "list", Use = "list", Short = "List all active leases", Run = RunList },
            new CommandSpec
            {
                Name = "keep-alive",
                Use = "keep-alive [options] <leaseID>",
                Short = "Keeps leases alive (renew)",
                Flags = [FlagSpec.Bool("once", "Resets the keep-alive time to its original value and exits immediately")],
                Run = RunKeepAlive,
            },
        ],
    };

    private static async Task RunGrant(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "lease grant command needs TTL argument");
        }

        if (!long.TryParse(ctx.Args[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ttl))
        {
            throw new CtlExitException(ExitCode.BadArgs, "bad TTL (strconv.ParseInt: parsing " + GoText.QuoteString(ctx.Args[0]) + ": invalid syntax)");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        try
        {
            LeaseGrantResponse response = await ctx.CallAsync(client, d => client.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, deadline: d)).ConfigureAwait(false);
            ctx.Printer.Grant(response);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.Error, "failed to grant lease (" + e.Message + ")");
        }
    }

    private static async Task RunRevoke(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "lease revoke command needs 1 argument");
        }

        long id = LeaseId(ctx.Args[0]);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        try
        {
            LeaseRevokeResponse response = await ctx.CallAsync(client, d => client.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = id }, deadline: d)).ConfigureAwait(false);
            ctx.Printer.Revoke(id, response);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.Error, "failed to revoke lease (" + e.Message + ")");
        }
    }

    private static async Task RunTimeToLive(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "lease timetolive command needs lease ID as argument");
        }

        bool keys = ctx.Flags.GetBool("keys");
        var request = new LeaseTimeToLiveRequest { ID = LeaseId(ctx.Args[0]), Keys = keys };
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        try
        {
            // etcdctl runs this without the command timeout.
            LeaseTimeToLiveResponse response = await ctx.CallAsync(client, _ => client.Lease.LeaseTimeToLiveAsync(request), DateTime.MaxValue).ConfigureAwait(false);
            ctx.Printer.TimeToLive(response, keys);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.BadConnection, e.Message);
        }
    }

    private static async Task RunList(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        try
        {
            LeaseLeasesResponse response = await ctx.CallAsync(client, _ => client.Lease.LeaseLeasesAsync(new LeaseLeasesRequest()), DateTime.MaxValue).ConfigureAwait(false);
            ctx.Printer.Leases(response);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.BadConnection, e.Message);
        }
    }

    private static async Task RunKeepAlive(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "lease keep-alive command needs lease ID as argument");
        }

        long id = LeaseId(ctx.Args[0]);
        bool once = ctx.Flags.GetBool("once");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> stream = client.Lease.LeaseKeepAlive();
        var ttlRefresh = TimeSpan.Zero;
        try
        {
            while (true)
            {
                await stream.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }).ConfigureAwait(false);
                if (!await stream.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                {
                    break;
                }

                LeaseKeepAliveResponse response = stream.ResponseStream.Current;
                if (response.TTL <= 0)
                {
                    if (once)
                    {
                        throw new CtlExitException(ExitCode.BadConnection, "etcdserver: requested lease not found");
                    }

                    break;
                }

                ctx.Printer.KeepAlive(response);
                ctx.Out.Flush();
                if (once)
                {
                    return;
                }

                // Like the Go client, renew after a third of the TTL has passed.
                ttlRefresh = TimeSpan.FromSeconds(Math.Max(1, response.TTL / 3.0));
                await Task.Delay(ttlRefresh).ConfigureAwait(false);
            }
        }
        catch (RpcException e)
        {
            throw new CtlExitException(ExitCode.BadConnection, EtcdErrorText.Describe(e));
        }

        if (ctx.Printer is SimplePrinter)
        {
            ctx.Out.WriteLine("lease " + GoText.Hex16Zero(id) + " expired or revoked.");
        }
    }

    /// <summary>Lease IDs are given in hexadecimal.</summary>
    public static long LeaseId(string text)
        => KvRequests.ParseHexLease(text)
            ?? throw new CtlExitException(ExitCode.BadArgs, "bad lease ID arg (strconv.ParseInt: parsing " + GoText.QuoteString(text) + ": invalid syntax), expecting ID in Hex");
}
