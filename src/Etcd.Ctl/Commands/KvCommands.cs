using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Printers;

namespace Etcd.Ctl.Commands;

/// <summary>put, get and del.</summary>
public static class KvCommands
{
    public static CommandSpec Put() => new()
    {
        Name = "put",
        Use = "put [options] <key> <value> (<value> can also be given from stdin)",
        Short = "Puts the given key into the store",
        Long = """

            Puts the given key into the store.

            When <value> begins with '-', <value> is interpreted as a flag.
            Insert '--' for workaround:

            $ put <key> -- <value>
            $ put -- <key> <value>

            If <value> isn't given as a command line argument and '--ignore-value' is not specified,
            this command tries to read the value from standard input.

            If <lease> isn't given as a command line argument and '--ignore-lease' is not specified,
            this command tries to read the value from standard input.

            For example,
            $ cat file | put <key>
            will store the content of the file to <key>.

            """,
        Flags = KvRequests.PutFlags,
        Run = RunPut,
    };

    public static CommandSpec Get() => new()
    {
        Name = "get",
        Use = "get [options] <key> [range_end]",
        Short = "Gets the key or a range of keys",
        Flags = KvRequests.GetFlags,
        Run = RunGet,
    };

    public static CommandSpec Del() => new()
    {
        Name = "del",
        Use = "del [options] <key> [range_end]",
        Short = "Removes the specified key or range of keys [key, range_end)",
        Flags = KvRequests.DelFlags,
        Run = RunDel,
    };

    private static async Task RunPut(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        PutRequest request = KvRequests.Put(ctx.Args, ctx.Flags, invocation.OpenStdin);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        PutResponse response = await ctx.CallAsync(client, d => client.KV.PutAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Printer.Put(response);
    }

    private static async Task RunGet(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        RangeRequest request = KvRequests.Range(ctx.Args, ctx.Flags);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        RangeResponse response = await ctx.CallAsync(client, d => client.KV.RangeAsync(request, deadline: d)).ConfigureAwait(false);
        if (ctx.Flags.GetBool("count-only") && ctx.Printer is not FieldsPrinter)
        {
            throw new CtlExitException(ExitCode.BadArgs, "--count-only is only for `--write-out=fields`");
        }

        if (ctx.Flags.GetBool("print-value-only"))
        {
            if (ctx.Printer is not SimplePrinter simple)
            {
                throw new CtlExitException(ExitCode.BadArgs, "print-value-only is only for `--write-out=simple`");
            }

            simple.ValueOnly = true;
        }

        ctx.Printer.Get(response);
    }

    private static async Task RunDel(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        DeleteRangeRequest request = KvRequests.Delete(ctx.Args, ctx.Flags);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        DeleteRangeResponse response = await ctx.CallAsync(client, d => client.KV.DeleteRangeAsync(request, deadline: d)).ConfigureAwait(false);
        ctx.Printer.Delete(response);
    }
}
