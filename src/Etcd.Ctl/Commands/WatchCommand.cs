using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Ctl.Printers;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>
/// watch: streams events on a key, range or prefix until the server cancels the watch, optionally
/// running a command per event ("watch key -- cmd args"); -i reads watch/progress lines from stdin.
/// </summary>
public static class WatchCommand
{
    private static readonly FlagSpec[] Flags =
    [
        FlagSpec.Bool("interactive", "Interactive mode", shorthand: 'i'),
        FlagSpec.Bool("prefix", "Watch on a prefix if prefix is set"),
        FlagSpec.Int64("rev", 0, "Revision to start watching"),
        FlagSpec.Bool("prev-kv", "get the previous key-value pair before the event happens"),
    ];

    public static CommandSpec Create() => new()
    {
        Name = "watch",
        Use = "watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]",
        Short = "Watches events stream on keys or prefixes",
        Flags = Flags,
        Run = Run,
    };

    private sealed record WatchTarget(IReadOnlyList<string> Args, IReadOnlyList<string> Exec, bool Prefix, long Revision, bool PrevKv);

    private static async Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        invocation.Environment.TryGetValue("ETCDCTL_WATCH_KEY", out string? envKey);
        invocation.Environment.TryGetValue("ETCDCTL_WATCH_RANGE_END", out string? envRange);
        envKey ??= "";
        envRange ??= "";
        if (envKey.Length == 0 && envRange.Length > 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=" + GoText.QuoteString(envRange));
        }

        if (ctx.Flags.GetBool("interactive"))
        {
            await RunInteractive(ctx, envKey, envRange).ConfigureAwait(false);
            return;
        }

        WatchTarget target = ParseTarget(ctx, envKey, envRange);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> stream = OpenStream(client);
        await stream.RequestStream.WriteAsync(CreateRequest(target)).ConfigureAwait(false);
        await PrintEvents(ctx, stream.ResponseStream, target.Exec).ConfigureAwait(false);
        throw new CtlExitException(ExitCode.Interrupted, "watch is canceled by the server");
    }

    private static async Task RunInteractive(CommandContext ctx, string envKey, string envRange)
    {
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> stream = OpenStream(client);
        Task printing = PrintEvents(ctx, stream.ResponseStream, []);
        using var reader = new StreamReader(ctx.Invocation.OpenStdin());
        while (true)
        {
            string? line = await reader.ReadLineAsync().ConfigureAwait(false);
            if (line is null)
            {
                throw new CtlExitException(ExitCode.InvalidInput, "Error reading watch request line: EOF");
            }

            List<string> args = TxnCommand.Argify(line);
            if (args.Count < 1)
            {
                WriteError(ctx, "Invalid command: " + line + " (watch and progress supported)");
                continue;
            }

            switch (args[0])
            {
                case "watch":
                    if (args.Count < 2 && envKey.Length == 0)
                    {
                        WriteError(ctx, "Invalid command " + line + " (command type or key is not provided)");
                        continue;
                    }

                    WatchTarget target = ParseInteractiveTarget(args, envKey, envRange);
                    await stream.RequestStream.WriteAsync(CreateRequest(target)).ConfigureAwait(false);
                    break;
                case "progress":
                    await stream.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }).ConfigureAwait(false);
                    break;
                default:
                    WriteError(ctx, "Invalid command " + line + " (only support watch)");
                    continue;
            }

            if (printing.IsCompleted)
            {
                await printing.ConfigureAwait(false);
            }
        }
    }

    private static AsyncDuplexStreamingCall<WatchRequest, WatchResponse> OpenStream(EtcdClient client)
    {
        // etcdctl watches with "require leader" so a partitioned member does not stall the watch silently.
        var headers = new Grpc.Core.Metadata { { "hasleader", "true" } };
        return client.Watch.Watch(headers);
    }

    private static WatchRequest CreateRequest(WatchTarget target)
    {
        if (target.Args.Count < 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments");
        }

        string key = target.Args[0];
        var create = new WatchCreateRequest { StartRevision = target.Revision, PrevKv = target.PrevKv };
        if (target.Args.Count == 2)
        {
            if (target.Prefix)
            {
                throw new CtlExitException(ExitCode.BadArgs, "`range_end` and `--prefix` are mutually exclusive");
            }

            create.RangeEnd = KvRequests.Bytes(target.Args[1]);
        }

        if (target.Prefix)
        {
            if (key.Length == 0)
            {
                key = "\0";
                create.RangeEnd = KeyRange.FromKeyEnd;
            }
            else
            {
                create.RangeEnd = KeyRange.PrefixEnd(KvRequests.Bytes(key));
            }
        }

        create.Key = KvRequests.Bytes(key);
        return new WatchRequest { CreateRequest = create };
    }

    private static async Task PrintEvents(CommandContext ctx, IAsyncStreamReader<WatchResponse> responses, IReadOnlyList<string> exec)
    {
        try
        {
            while (await responses.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                WatchResponse r = responses.Current;
                if (r.Created && !r.Canceled)
                {
                    // The Go client does not hand creation acknowledgements to etcdctl.
                    continue;
                }

                if (r.Canceled)
                {
                    WriteError(ctx, "watch was canceled (" + CancelText(r) + ")");
                }

                var batch = new WatchBatch(r.Header ?? new ResponseHeader(), [.. r.Events], r.CompactRevision, r.Canceled, r.Created);
                if (r.Events.Count == 0 && !r.Canceled && r.CompactRevision == 0)
                {
                    ctx.Out.WriteLine("progress notify: " + GoText.Dec(batch.Header.Revision));
                }

                ctx.Printer.Watch(batch);
                ctx.Out.Flush();
                foreach (Event e in r.Events)
                {
                    await RunForEvent(ctx, exec, batch.Header.Revision, e).ConfigureAwait(false);
                }

                if (r.Canceled)
                {
                    return;
                }
            }
        }
        catch (RpcException e)
        {
            throw new CtlExitException(ExitCode.Error, EtcdErrorText.Describe(e));
        }
    }

    private static string CancelText(WatchResponse r)
    {
        if (r.CompactRevision != 0)
        {
            return "etcdserver: mvcc: required revision has been compacted";
        }

        if (r.CancelReason.Length == 0)
        {
            return "etcdserver: mvcc: required revision is a future revision";
        }

        return r.CancelReason.StartsWith("etcdserver: ", StringComparison.Ordinal)
            ? r.CancelReason
            : EtcdErrorText.GrpcStatusText(StatusCode.FailedPrecondition, r.CancelReason);
    }

    private static async Task RunForEvent(CommandContext ctx, IReadOnlyList<string> exec, long revision, Event e)
    {
        if (exec.Count == 0)
        {
            return;
        }

        var start = new ProcessStartInfo(exec[0]) { UseShellExecute = false };
        for (int i = 1; i < exec.Count; i++)
        {
            start.ArgumentList.Add(exec[i]);
        }

        start.Environment["ETCD_WATCH_REVISION"] = GoText.Dec(revision);
        start.Environment["ETCD_WATCH_EVENT_TYPE"] = "\"" + (e.Type == Event.Types.EventType.Delete ? "DELETE" : "PUT") + "\"";
        KeyValue kv = e.Kv ?? new KeyValue();
        start.Environment["ETCD_WATCH_KEY"] = GoText.Quote(kv.Key.Span);
        start.Environment["ETCD_WATCH_VALUE"] = GoText.Quote(kv.Value.Span);
        ctx.Out.Flush();
        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("process did not start");
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new CtlExitException(ExitCode.Error, null);
            }
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            WriteError(ctx, "command [" + string.Join(' ', exec) + "] error (" + error.Message + ")");
            throw new CtlExitException(ExitCode.Error, null);
        }
    }

    // Splits "watch [flags] key [range_end] [-- cmd args]" into the watch part and the command,
    // honouring ETCDCTL_WATCH_KEY / ETCDCTL_WATCH_RANGE_END (which may not be combined with a key argument).
    private static WatchTarget ParseTarget(CommandContext ctx, string envKey, string envRange)
    {
        IReadOnlyList<string> raw = ctx.Invocation.RawArgs;
        int watchAt = -1;
        for (int i = 0; i < raw.Count; i++)
        {
            if (raw[i] == "watch")
            {
                watchAt = i;
                break;
            }
        }

        var rawArgs = new List<string>();
        for (int i = watchAt + 1; i < raw.Count; i++)
        {
            rawArgs.Add(raw[i]);
        }

        int separator = rawArgs.IndexOf("--");
        if (separator >= 0 && separator == rawArgs.Count - 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments (found separator --, but no commands)");
        }

        var watchArgs = new List<string>(ctx.Args);
        if (separator < 0 && rawArgs.Count < 1 && envKey.Length == 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments");
        }

        if (separator < 0 && watchArgs.Count > 0 && envKey.Length > 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments (found conflicting environment key)");
        }

        var exec = new List<string>();
        if (separator >= 0)
        {
            exec.AddRange(rawArgs.GetRange(separator + 1, rawArgs.Count - separator - 1));
            // The parsed arguments end with the command; keep only what precedes it.
            int end = watchArgs.Count - exec.Count;
            watchArgs = watchArgs.GetRange(0, Math.Max(0, end));
            if (envKey.Length > 0 && watchArgs.Count > 0)
            {
                throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments (found conflicting environment key)");
            }
        }

        if (envKey.Length > 0)
        {
            var fromEnv = new List<string> { envKey };
            if (envRange.Length > 0)
            {
                fromEnv.Add(envRange);
            }

            watchArgs.InsertRange(0, fromEnv);
        }

        return new WatchTarget(watchArgs, exec, ctx.Flags.GetBool("prefix"), ctx.Flags.GetInt64("rev"), ctx.Flags.GetBool("prev-kv"));
    }

    private static WatchTarget ParseInteractiveTarget(List<string> args, string envKey, string envRange)
    {
        var flags = new FlagValues(Flags);
        ParseResult parsed = ArgumentParser.Parse(args.GetRange(1, args.Count - 1), flags);
        if (parsed.Error is not null)
        {
            throw new CtlExitException(ExitCode.BadArgs, parsed.Error);
        }

        var watchArgs = new List<string>(parsed.Args);
        var exec = new List<string>();
        int separator = args.IndexOf("--");
        if (separator >= 0)
        {
            if (separator == args.Count - 1)
            {
                throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments (found separator --, but no commands)");
            }

            exec.AddRange(args.GetRange(separator + 1, args.Count - separator - 1));
            watchArgs = watchArgs.GetRange(0, Math.Max(0, watchArgs.Count - exec.Count));
        }

        if (envKey.Length > 0)
        {
            if (separator < 0 && watchArgs.Count > 0)
            {
                throw new CtlExitException(ExitCode.BadArgs, "bad number of arguments (found conflicting environment key)");
            }

            var fromEnv = new List<string> { envKey };
            if (envRange.Length > 0)
            {
                fromEnv.Add(envRange);
            }

            watchArgs.InsertRange(0, fromEnv);
        }

        return new WatchTarget(watchArgs, exec, flags.GetBool("prefix"), flags.GetInt64("rev"), flags.GetBool("prev-kv"));
    }

    private static void WriteError(CommandContext ctx, string line)
    {
        ctx.Out.Flush();
        ctx.Err.WriteLine(line);
        ctx.Err.Flush();
    }
}
