using Etcd.Util;
using Etcd.Util.DataDirs;

namespace Etcd.Ctl.V2;

/// <summary>backup: etcdutl's backup (one implementation serves both tools), with etcdctl v2's flags.</summary>
public static class V2BackupCommand
{
    public static V2Command Create() => new()
    {
        Name = "backup",
        Usage = "backup an etcd directory",
        ArgsUsage = " ",
        Flags =
        [
            V2Flag.String("data-dir", "Path to the etcd data dir"),
            V2Flag.String("wal-dir", "Path to the etcd wal dir"),
            V2Flag.String("backup-dir", "Path to the backup dir"),
            V2Flag.String("backup-wal-dir", "Path to the backup wal dir"),
            V2Flag.Bool("with-v3", "Backup v3 backend data"),
        ],
        Action = c =>
        {
            var options = new BackupOptions
            {
                DataDir = c.Flags.GetString("data-dir"),
                WalDir = c.Flags.GetString("wal-dir"),
                BackupDir = c.Flags.GetString("backup-dir"),
                BackupWalDir = c.Flags.GetString("backup-wal-dir"),
                WithV3 = c.Flags.GetBool("with-v3"),
            };
            try
            {
                Util.Cli.EtcdutlCommands.RunBackup(options, new Commands.ConsoleTextWriter(c.Err));
            }
            catch (UtilException e)
            {
                throw c.Exit(1, e.Message);
            }

            return Task.FromResult(0);
        },
    };
}
