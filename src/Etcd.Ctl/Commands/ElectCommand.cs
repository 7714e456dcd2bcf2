using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Client.Concurrency;
using Etcd.Ctl.Cli;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>elect: campaigns with a proposal and leads until interrupted, or (-l) prints each leader change.</summary>
public static class ElectCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "elect",
        Use = "elect <election-name> [proposal]",
        Short = "Observes and participates in leader election",
        Flags = [FlagSpec.Bool("listen", "observation mode", shorthand: 'l')],
        Run = Run,
    };

    private static async Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count is not (1 or 2))
        {
            throw new CtlExitException(ExitCode.BadArgs, "elect takes one election name argument and an optional proposal argument");
        }

        bool listen = ctx.Flags.GetBool("listen");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        if (ctx.Args.Count == 1 && !listen)
        {
            throw new CtlExitException(ExitCode.BadArgs, "no proposal argument but -l not set");
        }

        if (ctx.Args.Count == 2 && listen)
        {
            throw new CtlExitException(ExitCode.BadArgs, "proposal given but -l is set");
        }

        using var signals = new SignalWait();
        try
        {
            if (listen)
            {
                await Observe(ctx, client, signals).ConfigureAwait(false);
            }
            else
            {
                await Campaign(ctx, client, signals).ConfigureAwait(false);
            }
        }
        catch (RpcException e) when (!signals.Token.IsCancellationRequested)
        {
            throw new CtlExitException(ExitCode.Error, EtcdErrorText.Describe(e));
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
            throw new CtlExitException(ExitCode.Error, "context canceled");
        }
    }

    private static async Task Observe(CommandContext ctx, EtcdClient client, SignalWait signals)
    {
        var election = new EtcdElection(client, ctx.Args[0]);
        try
        {
            await foreach (RangeResponse leader in election.ObserveAsync(signals.Token).ConfigureAwait(false))
            {
                ctx.Printer.Get(leader);
                ctx.Out.Flush();
            }
        }
        catch (Exception e) when ((e is OperationCanceledException or RpcException) && signals.Token.IsCancellationRequested)
        {
            return;
        }

        if (!signals.Token.IsCancellationRequested)
        {
            throw new CtlExitException(ExitCode.Error, "elect: observer lost");
        }
    }

    private static async Task Campaign(CommandContext ctx, EtcdClient client, SignalWait signals)
    {
        EtcdSession session = await EtcdSession.CreateAsync(client, cancellationToken: signals.Token).ConfigureAwait(false);
        var election = new EtcdElection(client, ctx.Args[0]);
        await election.CampaignAsync(session, ctx.Args[1], signals.Token).ConfigureAwait(false);
        RangeResponse leader = await client.KV.RangeAsync(new RangeRequest { Key = election.Key }, cancellationToken: signals.Token).ConfigureAwait(false);
        ctx.Printer.Get(leader);
        ctx.Out.Flush();
        Task finished = await Task.WhenAny(signals.Signalled(), session.Done).ConfigureAwait(false);
        if (finished == session.Done && !signals.Token.IsCancellationRequested)
        {
            throw new CtlExitException(ExitCode.Error, "elect: session expired");
        }

        await election.ResignAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
