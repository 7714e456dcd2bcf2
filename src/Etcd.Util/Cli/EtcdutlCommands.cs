using Etcd.Server.Logging;
using Etcd.Util.DataDirs;
using Etcd.Util.Snapshots;

namespace Etcd.Util.Cli;

/// <summary>etcdutl's commands: snapshot restore|status, defrag, backup, version.</summary>
public static class EtcdutlCommands
{
    public const string Version = "3.5.17";

    private static readonly Dictionary<string, bool> RestoreFlags = new()
    {
        ["data-dir"] = false,
        ["wal-dir"] = false,
        ["name"] = false,
        ["initial-cluster"] = false,
        ["initial-cluster-token"] = false,
        ["initial-advertise-peer-urls"] = false,
        ["skip-hash-check"] = true,
        ["write-out"] = false,
    };

    private static readonly Dictionary<string, bool> StatusFlags = new() { ["write-out"] = false };

    private static readonly Dictionary<string, bool> DefragFlags = new() { ["data-dir"] = false, ["write-out"] = false };

    private static readonly Dictionary<string, bool> BackupFlags = new()
    {
        ["data-dir"] = false,
        ["wal-dir"] = false,
        ["backup-dir"] = false,
        ["backup-wal-dir"] = false,
        ["with-v3"] = true,
        ["write-out"] = false,
    };

    private static readonly Dictionary<char, string> Short = new() { ['w'] = "write-out" };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var command = args.Length > 0 ? args[0] : "help";
        var rest = args.Skip(1);
        switch (command)
        {
            case "version":
            case "--version":
                output.WriteLine($"etcdutl version: {Version}");
                output.WriteLine("API version: 3.5");
                return 0;
            case "snapshot" when args.Length > 1 && args[1] == "restore":
                return Restore(CommandLine.Parse(args.Skip(2), RestoreFlags, Short), error);
            case "snapshot" when args.Length > 1 && args[1] == "status":
                return Status(CommandLine.Parse(args.Skip(2), StatusFlags, Short), output, error);
            case "defrag":
                return Defrag(CommandLine.Parse(rest, DefragFlags, Short), output, error);
            case "backup":
                return Backup(CommandLine.Parse(rest, BackupFlags, Short), error);
            case "help" or "--help" or "-h":
            case "snapshot":
                output.Write(Usage);
                return 0;
            default:
                throw new UtilException($"unknown command \"{command}\" for \"etcdutl\"");
        }
    }

    private static int Restore(CommandLine line, TextWriter error)
    {
        if (line.Positional.Count != 1) throw new UtilException("snapshot restore requires exactly one argument", 128);
        var options = new RestoreOptions
        {
            SnapshotPath = line.Positional[0],
            Name = line.Get("name", "default"),
            DataDir = line.Get("data-dir", ""),
            WalDir = line.Get("wal-dir", ""),
            InitialCluster = line.Get("initial-cluster", "default=http://localhost:2380"),
            InitialClusterToken = line.Get("initial-cluster-token", "etcd-cluster"),
            InitialAdvertisePeerUrls = line.Get("initial-advertise-peer-urls", "http://localhost:2380"),
            SkipHashCheck = line.Flag("skip-hash-check"),
        };
        return RunRestore(options, error);
    }

    /// <summary>The restore with etcd's log lines around it; shared with etcdctl's snapshot restore.</summary>
    public static int RunRestore(RestoreOptions options, TextWriter error)
    {
        using var logger = new ZapLogger(LogLevel.Info, [new ErrorStream(error)], ownsOutputs: false);
        var dataDir = options.DataDir.Length > 0 ? options.DataDir : options.Name + ".etcd";
        var walDir = options.WalDir.Length > 0 ? options.WalDir : Path.Combine(dataDir, "member", "wal");
        var snapDir = Path.Combine(dataDir, "member", "snap");
        var progress = new Progress(error);
        var result = SnapshotRestore.Run(options, progress.Reporter, () =>
            logger.Info("restoring snapshot", LogField.Of("path", options.SnapshotPath), LogField.Of("wal-dir", walDir), LogField.Of("data-dir", dataDir), LogField.Of("snap-dir", snapDir)));
        progress.Done();
        logger.Info("restored snapshot", LogField.Of("path", options.SnapshotPath), LogField.Of("wal-dir", result.WalDir), LogField.Of("data-dir", result.DataDir),
            LogField.Of("snap-dir", snapDir), LogField.Id("member-id", result.MemberId), LogField.Id("cluster-id", result.ClusterId));
        return 0;
    }

    private static int Status(CommandLine line, TextWriter output, TextWriter error)
    {
        if (line.Positional.Count != 1) throw new UtilException("snapshot status requires exactly one argument", 128);
        var format = line.Get("write-out", "simple");
        if (!SnapshotStatusPrinter.Formats.Contains(format)) throw new UtilException($"unsupported output format: {format}");
        var progress = new Progress(error);
        var status = SnapshotStatus.Of(line.Positional[0], progress.Counter("keys"));
        progress.Done();
        output.Write(SnapshotStatusPrinter.Format(status, format));
        return 0;
    }

    private static int Defrag(CommandLine line, TextWriter output, TextWriter error)
    {
        var dataDir = line.Get("data-dir", "");
        if (dataDir.Length == 0) throw new UtilException("Please provide data directory (--data-dir)");
        using var logger = new ZapLogger(LogLevel.Warn, [new ErrorStream(error)], ownsOutputs: false);
        var started = DateTime.UtcNow;
        DataDirDefrag.Run(dataDir, logger);
        output.WriteLine($"Finished defragmenting etcd data[{dataDir}]");
        _ = started;
        return 0;
    }

    private static int Backup(CommandLine line, TextWriter error)
    {
        var options = new BackupOptions
        {
            DataDir = line.Get("data-dir", ""),
            WalDir = line.Get("wal-dir", ""),
            BackupDir = line.Get("backup-dir", ""),
            BackupWalDir = line.Get("backup-wal-dir", ""),
            WithV3 = line.Has("with-v3") ? line.Flag("with-v3") : true,
        };
        return RunBackup(options, error);
    }

    /// <summary>The backup with etcd's log lines; shared with etcdctl v2's backup.</summary>
    public static int RunBackup(BackupOptions options, TextWriter error)
    {
        using var logger = new ZapLogger(LogLevel.Info, [new ErrorStream(error)], ownsOutputs: false);
        DataDirBackup.Run(options, logger);
        return 0;
    }

    private const string Usage = """
        NAME:
        	etcdutl - An administrative command line tool for etcd.

        USAGE:
        	etcdutl [command]

        COMMANDS:
        	backup		[legacy] offline backup of etcd directory
        	defrag		Defragments the storage of the etcd
        	snapshot restore	Restores an etcd member snapshot to an etcd directory
        	snapshot status	Gets backend snapshot status of a given file
        	version		Prints the version of etcdutl

        """;
}
