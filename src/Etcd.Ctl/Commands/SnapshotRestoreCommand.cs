using System.Text;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Util;
using Etcd.Util.Cli;
using Etcd.Util.Snapshots;

namespace Etcd.Ctl.Commands;

/// <summary>
/// snapshot restore, as etcdctl 3.4 has it (3.5 moved it to etcdutl and warns), with its flags
/// and defaults; the restore itself is etcdutl's (<see cref="SnapshotRestore"/>).
/// </summary>
public static class SnapshotRestoreCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "restore",
        Use = "restore <filename> [options]",
        Short = "Restores an etcd member snapshot to an etcd directory",
        Flags =
        [
            FlagSpec.String("data-dir", "", "Path to the data directory"),
            FlagSpec.String("wal-dir", "", "Path to the WAL directory (use --data-dir if none given)"),
            FlagSpec.String("initial-cluster", "default=http://localhost:2380", "Initial cluster configuration for restore bootstrap"),
            FlagSpec.String("initial-cluster-token", "etcd-cluster", "Initial cluster token for the etcd cluster during restore bootstrap"),
            FlagSpec.String("initial-advertise-peer-urls", "http://localhost:2380", "List of this member's peer URLs to advertise to the rest of the cluster"),
            FlagSpec.String("name", "default", "Human-readable name for this member"),
            FlagSpec.Bool("skip-hash-check", "Ignore snapshot integrity hash value (required if copied from data directory)"),
        ],
        Run = Run,
    };

    private static Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1) throw new CtlExitException(ExitCode.BadArgs, "snapshot restore requires exactly one argument");
        var options = new RestoreOptions
        {
            SnapshotPath = ctx.Args[0],
            Name = ctx.Flags.GetString("name"),
            DataDir = ctx.Flags.GetString("data-dir"),
            WalDir = ctx.Flags.GetString("wal-dir"),
            InitialCluster = ctx.Flags.GetString("initial-cluster"),
            InitialClusterToken = ctx.Flags.GetString("initial-cluster-token"),
            InitialAdvertisePeerUrls = ctx.Flags.GetString("initial-advertise-peer-urls"),
            SkipHashCheck = ctx.Flags.GetBool("skip-hash-check"),
        };
        try
        {
            EtcdutlCommands.RunRestore(options, new ConsoleTextWriter(ctx.Err));
        }
        catch (UtilException e)
        {
            throw new CtlExitException(ExitCode.Error, e.Message);
        }
        return Task.CompletedTask;
    }
}
