using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Commands;

/// <summary>compaction, alarm, defrag and move-leader.</summary>
public static class MaintenanceCommands
{
    public static CommandSpec Compaction() => new()
    {
        Name = "compaction",
        Use = "compaction [options] <revision>",
        Short = "Compacts the event history in etcd",
        Flags = [FlagSpec.Bool("physical", "'true' to wait for compaction to physically remove all old revisions")],
        Run = RunCompaction,
    };

    public static CommandSpec Alarm() => new()
    {
        Name = "alarm",
        Use = "alarm <subcommand>",
        Short = "Alarm related commands",
        Subcommands =
        [
            new CommandSpec { Name = "disarm", Use = "disarm", Short = "Disarms all alarms", Run = i => RunAlarm(i, AlarmRequest.Types.AlarmAction.Deactivate) },
            new CommandSpec { Name = "list", Use = "list", Short = "Lists all alarms", Run = i => RunAlarm(i, AlarmRequest.Types.AlarmAction.Get) },
        ],
    };

    public static CommandSpec Defrag() => new()
    {
        Name = "defrag",
        Use = "defrag",
        Short = "Defragments the storage of the etcd members with given endpoints",
        PersistentFlags = [EndpointCommands.ClusterFlag],
        Flags = [FlagSpec.String("data-dir", "", "Optional. If present, defragments a data directory not in use by etcd.")],
        Run = RunDefrag,
    };

    public static CommandSpec MoveLeader() => new()
    {
        Name = "move-leader",
        Use = "move-leader <transferee-member-id>",
        Short = "Transfers leadership to another etcd cluster member.",
        Run = RunMoveLeader,
    };

    private static async Task RunCompaction(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "compaction command needs 1 argument");
        }

        if (!long.TryParse(ctx.Args[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long revision))
        {
            throw new CtlExitException(ExitCode.Error, "strconv.ParseInt: parsing " + GoText.QuoteString(ctx.Args[0]) + ": invalid syntax");
        }

        var request = new CompactionRequest { Revision = revision, Physical = ctx.Flags.GetBool("physical") };
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        await ctx.CallAsync(client, d => client.KV.CompactAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Out.WriteLine("compacted revision " + GoText.Dec(revision));
    }

    private static async Task RunAlarm(Invocation invocation, AlarmRequest.Types.AlarmAction action)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 0)
        {
            string verb = action == AlarmRequest.Types.AlarmAction.Get ? "list" : "disarm";
            throw new CtlExitException(ExitCode.BadArgs, "alarm " + verb + " command accepts no arguments");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        AlarmResponse response;
        if (action == AlarmRequest.Types.AlarmAction.Get)
        {
            var request = new AlarmRequest { Action = action, MemberID = 0, Alarm = AlarmType.None };
            response = await ctx.CallAsync(client, d => client.Maintenance.AlarmAsync(request, deadline: d)).ConfigureAwait(false);
        }
        else
        {
            response = await DisarmAll(ctx, client).ConfigureAwait(false);
        }

        ctx.Printer.Alarm(response);
    }

    // The Go client's AlarmDisarm with an empty member lists the raised alarms and clears each
    // one; its combined answer carries no header.
    private static async Task<AlarmResponse> DisarmAll(CommandContext ctx, EtcdClient client)
    {
        DateTime deadline = ctx.CommandDeadline();
        var list = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get };
        AlarmResponse raised = await ctx.CallAsync(client, d => client.Maintenance.AlarmAsync(list, deadline: d), deadline).ConfigureAwait(false);
        var result = new AlarmResponse();
        foreach (AlarmMember alarm in raised.Alarms)
        {
            var clear = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = alarm.MemberID, Alarm = alarm.Alarm };
            AlarmResponse cleared = await ctx.CallAsync(client, d => client.Maintenance.AlarmAsync(clear, deadline: d), deadline).ConfigureAwait(false);
            result.Alarms.AddRange(cleared.Alarms);
        }

        return result;
    }

    private static async Task RunDefrag(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Flags.GetString("data-dir").Length > 0)
        {
            throw new CtlExitException(ExitCode.Error, "defrag --data-dir is not supported by this etcdctl; use etcdutl defrag");
        }

        int failures = 0;
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        foreach (string endpoint in await EndpointCommands.EndpointsFromCluster(ctx).ConfigureAwait(false))
        {
            using EtcdClient member = client.ForEndpoint(endpoint);
            try
            {
                await ctx.CallAsync(member, d => member.Maintenance.DefragmentAsync(new DefragmentRequest(), deadline: d)).ConfigureAwait(false);
                ctx.Out.WriteLine("Finished defragmenting etcd member[" + endpoint + "]");
            }
            catch (CallFailedException e)
            {
                ctx.Out.Flush();
                ctx.Err.WriteLine("Failed to defragment etcd member[" + endpoint + "] (" + e.Message + ")");
                failures++;
            }
        }

        if (failures != 0)
        {
            throw new CtlExitException(ExitCode.Error, null);
        }
    }

    private static async Task RunMoveLeader(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "move-leader command needs 1 argument");
        }

        if (!ulong.TryParse(ctx.Args[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong target))
        {
            throw new CtlExitException(ExitCode.BadArgs, "strconv.ParseUint: parsing " + GoText.QuoteString(ctx.Args[0]) + ": invalid syntax");
        }

        IReadOnlyList<string> endpoints = ctx.Endpoints();
        DateTime deadline = ctx.CommandDeadline();
        using EtcdClient first = await ctx.ConnectAsync().ConfigureAwait(false);
        foreach (string endpoint in endpoints)
        {
            using EtcdClient member = first.ForEndpoint(endpoint);
            StatusResponse status;
            try
            {
                status = await ctx.CallAsync(member, d => member.Maintenance.StatusAsync(new StatusRequest(), deadline: d), deadline).ConfigureAwait(false);
            }
            catch (CallFailedException e)
            {
                throw new CtlExitException(ExitCode.Error, e.Message);
            }

            if (status.Header?.MemberId == status.Leader)
            {
                var request = new MoveLeaderRequest { TargetID = target };
                MoveLeaderResponse response = await ctx.CallAsync(member, d => member.Maintenance.MoveLeaderAsync(request, deadline: d), deadline).ConfigureAwait(false);
                ctx.Printer.MoveLeader(status.Leader, target, response);
                return;
            }
        }

        throw new CtlExitException(ExitCode.BadArgs, "no leader endpoint given at [" + string.Join(' ', endpoints) + "]");
    }
}
