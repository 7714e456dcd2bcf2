using Etcd.Ctl.Cli;
using Etcd.Util;
using Etcd.Util.Snapshots;

namespace Etcd.Ctl.Commands;

/// <summary>
/// snapshot status, as etcdctl 3.4 has it (3.5 moved it to etcdutl and warns): etcdutl's own
/// code computes the status and prints it in the --write-out format.
/// </summary>
public static class SnapshotStatusCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "status",
        Use = "status <filename>",
        Short = "Gets backend snapshot status of a given file",
        Run = Run,
    };

    private static Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1) throw new CtlExitException(ExitCode.BadArgs, "snapshot status requires exactly one argument");
        var format = ctx.Flags.GetString("write-out");
        if (!SnapshotStatusPrinter.Formats.Contains(format)) throw new CtlExitException(ExitCode.Error, $"printer \"{format}\" does not support snapshot status");
        try
        {
            ctx.Out.Write(SnapshotStatusPrinter.Format(SnapshotStatus.Of(ctx.Args[0]), format));
        }
        catch (UtilException e)
        {
            throw new CtlExitException(ExitCode.Error, e.Message);
        }
        return Task.CompletedTask;
    }
}
