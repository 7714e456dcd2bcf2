using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Client.Concurrency;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>lock: takes a named lock and holds it until interrupted, or runs a command while holding it.</summary>
public static class LockCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "lock",
        Use = "lock <lockname> [exec-command arg1 arg2 ...]",
        Short = "Acquires a named lock",
        Flags = [FlagSpec.Int64("ttl", 10, "timeout for session")],
        Run = Run,
    };

    private static async Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count == 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "lock takes a lock name argument and an optional command to execute");
        }

        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        using var signals = new SignalWait();
        try
        {
            await LockUntilSignal(ctx, client, signals).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new CtlExitException(ExitCode.Error, EtcdErrorText.Describe(e, signals.Token.IsCancellationRequested));
        }
        catch (OperationCanceledException)
        {
            throw new CtlExitException(ExitCode.Error, "context canceled");
        }
    }

    private static async Task LockUntilSignal(CommandContext ctx, EtcdClient client, SignalWait signals)
    {
        // The session is not revoked on exit (as in etcdctl): unlocking deletes the key, the lease just expires.
        EtcdSession session = await EtcdSession.CreateAsync(client, ctx.Flags.GetInt64("ttl"), signals.Token).ConfigureAwait(false);
        var mutex = new EtcdMutex(session, ctx.Args[0]);
        await mutex.LockAsync(signals.Token).ConfigureAwait(false);
        if (ctx.Args.Count > 1)
        {
            await RunHoldingLock(ctx, mutex).ConfigureAwait(false);
            return;
        }

        RangeResponse held = await client.KV.RangeAsync(new RangeRequest { Key = mutex.Key }, cancellationToken: signals.Token).ConfigureAwait(false);
        if (held.Kvs.Count == 0)
        {
            throw new CtlExitException(ExitCode.Error, "lock lost on init");
        }

        ctx.Printer.Get(held);
        ctx.Out.Flush();
        Task finished = await Task.WhenAny(signals.Signalled(), session.Done).ConfigureAwait(false);
        if (finished == session.Done && !signals.Token.IsCancellationRequested)
        {
            throw new CtlExitException(ExitCode.Error, "session expired");
        }

        await mutex.UnlockAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task RunHoldingLock(CommandContext ctx, EtcdMutex mutex)
    {
        var start = new ProcessStartInfo(ctx.Args[1]) { UseShellExecute = false };
        for (int i = 2; i < ctx.Args.Count; i++)
        {
            start.ArgumentList.Add(ctx.Args[i]);
        }

        start.Environment["ETCD_LOCK_KEY"] = mutex.Key.ToStringUtf8();
        start.Environment["ETCD_LOCK_REV"] = GoText.Dec(mutex.Header?.Revision ?? 0);
        ctx.Out.Flush();
        int exitCode;
        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("process did not start");
            await process.WaitForExitAsync().ConfigureAwait(false);
            exitCode = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            await mutex.UnlockAsync(CancellationToken.None).ConfigureAwait(false);
            throw new CtlExitException(ExitCode.Error, "exec: " + GoText.QuoteString(ctx.Args[1]) + ": " + e.Message);
        }

        await mutex.UnlockAsync(CancellationToken.None).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new CtlExitException(ExitCode.Error, "exit status " + GoText.Dec(exitCode));
        }
    }
}
