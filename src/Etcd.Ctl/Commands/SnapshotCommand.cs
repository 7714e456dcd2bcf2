using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>snapshot save: streams a member's backend into a file; status and restore (SnapshotStatusCommand.cs, SnapshotRestoreCommand.cs) are etcdutl's code.</summary>
public static class SnapshotCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "snapshot",
        Use = "snapshot <subcommand>",
        Short = "Manages etcd node snapshots",
        Subcommands =
        [
            new CommandSpec { Name = "save", Use = "save <filename>", Short = "Stores an etcd node backend snapshot to a given file", Run = RunSave },
            SnapshotRestoreCommand.Create(),
            SnapshotStatusCommand.Create(),
        ],
    };

    private static async Task RunSave(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "snapshot save expects one argument");
        }

        IReadOnlyList<string> endpoints = ctx.Endpoints();
        if (endpoints.Count != 1)
        {
            throw new CtlExitException(ExitCode.Interrupted, "snapshot must be requested to one selected node, not multiple [" + string.Join(' ', endpoints) + "]");
        }

        string path = ctx.Args[0];
        string partial = path + ".part";
        // Without an explicit --command-timeout a snapshot may take as long as it needs.
        DateTime? deadline = ctx.Flags.Changed("command-timeout") ? ctx.CommandDeadline() : null;
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Log(ctx, "snapshot/v3_snapshot.go:65", "created temporary db file", w => w.String("path", partial));
            Log(ctx, "snapshot/v3_snapshot.go:73", "fetching snapshot", w => w.String("endpoint", endpoints[0]));
            long size = await Download(client, partial, deadline).ConfigureAwait(false);
            // The stream ends with a sha256 of the data; a file without it is not a complete snapshot.
            if ((size - 32) % 512 != 0)
            {
                throw new CtlExitException(ExitCode.Interrupted, "sha256 checksum not found [bytes: " + size.ToString(CultureInfo.InvariantCulture) + "]");
            }

            Log(ctx, "snapshot/v3_snapshot.go:88", "fetched snapshot", w => w.String("endpoint", endpoints[0])
                .String("size", Output.HumanBytes.Format((ulong)size)).String("took", Output.GoText.Dec((long)started.Elapsed.TotalSeconds) + "s ago"));
            File.Move(partial, path, overwrite: true);
            Log(ctx, "snapshot/v3_snapshot.go:97", "saved", w => w.String("path", path));
        }
        catch (RpcException e)
        {
            File.Delete(partial);
            throw new CtlExitException(ExitCode.Interrupted, EtcdErrorText.Describe(e, deadline is { } d && DateTime.UtcNow >= d));
        }

        ctx.Out.WriteLine("Snapshot saved at " + path);
    }

    // etcdctl reports snapshot progress as zap JSON lines on stderr.
    private static void Log(CommandContext ctx, string caller, string message, Action<Output.GoJsonWriter> fields)
    {
        var w = new Output.GoJsonWriter();
        w.BeginObject().String("level", "info")
            .String("ts", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
            .String("caller", caller).String("msg", message);
        fields(w);
        w.EndObject();
        ctx.Err.WriteLine(w.ToString());
    }

    private static async Task<long> Download(EtcdClient client, string partial, DateTime? deadline)
    {
        using AsyncServerStreamingCall<SnapshotResponse> call = client.Maintenance.Snapshot(new SnapshotRequest(), deadline: deadline);
        await using var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        long size = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            ReadOnlyMemory<byte> blob = call.ResponseStream.Current.Blob.Memory;
            await file.WriteAsync(blob).ConfigureAwait(false);
            size += blob.Length;
        }

        await file.FlushAsync().ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        return size;
    }
}
