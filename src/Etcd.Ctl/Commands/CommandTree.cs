using Etcd.Ctl.Cli;

namespace Etcd.Ctl.Commands;

/// <summary>The etcdctl v3 command tree and its global flags.</summary>
public static class CommandTree
{
    public static readonly FlagSpec[] GlobalFlags =
    [
        FlagSpec.StringSlice("endpoints", "[127.0.0.1:2379]", "gRPC endpoints"),
        FlagSpec.Bool("debug", "enable client-side debug logging"),
        FlagSpec.String("write-out", "simple", "set the output format (fields, json, protobuf, simple, table)", shorthand: 'w'),
        FlagSpec.Bool("hex", "print byte strings as hex encoded strings"),
        FlagSpec.Duration("dial-timeout", "2s", "dial timeout for client connections"),
        FlagSpec.Duration("command-timeout", "5s", "timeout for short running command (excluding dial timeout)"),
        FlagSpec.Duration("keepalive-time", "2s", "keepalive time for client connections"),
        FlagSpec.Duration("keepalive-timeout", "6s", "keepalive timeout for client connections"),
        FlagSpec.Bool("insecure-transport", "disable transport security for client connections", defaultValue: true),
        FlagSpec.Bool("insecure-discovery", "accept insecure SRV records describing cluster endpoints", defaultValue: true),
        FlagSpec.Bool("insecure-skip-tls-verify", "skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)"),
        FlagSpec.String("cert", "", "identify secure client using this TLS certificate file"),
        FlagSpec.String("key", "", "identify secure client using this TLS key file"),
        FlagSpec.String("cacert", "", "verify certificates of TLS-enabled secure servers using this CA bundle"),
        FlagSpec.String("user", "", "username[:password] for authentication (prompt if password is not supplied)"),
        FlagSpec.String("password", "", "password for authentication (if this option is used, --user option shouldn't include password)"),
        FlagSpec.String("discovery-srv", "", "domain name to query for SRV records describing cluster endpoints", shorthand: 'd'),
        FlagSpec.String("discovery-srv-name", "", "service name to query when using DNS discovery"),
    ];

    public static CommandSpec Build()
    {
        CommandSpec root = new CommandSpec
        {
            Name = "etcdctl",
            Use = "etcdctl",
            Short = "A simple command line client for etcd3.",
            PersistentFlags = GlobalFlags,
            // etcdctl's order (cobra's command sorting is off in etcdctl): suggestions follow it.
            Subcommands =
        [
            KvCommands.Get(),
            KvCommands.Put(),
            KvCommands.Del(),
            TxnCommand.Create(),
            MaintenanceCommands.Compaction(),
            MaintenanceCommands.Alarm(),
            MaintenanceCommands.Defrag(),
            EndpointCommands.Create(),
            MaintenanceCommands.MoveLeader(),
            WatchCommand.Create(),
            VersionCommand.Create(),
            LeaseCommands.Create(),
            MemberCommands.Create(),
            SnapshotCommand.Create(),
            MakeMirrorCommand.Create(),
            LockCommand.Create(),
            ElectCommand.Create(),
            AuthCommands.Create(),
            UserCommands.Create(),
            RoleCommands.Create(),
            Check.CheckCommand.Create(),
            HelpCommand(),
        ],
        }.Seal();
        return root;
    }

    // cobra's "help [command]": the usage of the named command, or of etcdctl itself.
    private static CommandSpec HelpCommand() => new()
    {
        Name = "help",
        Use = "help [command]",
        Short = "Help about any command",
        Run = invocation =>
        {
            CommandSpec target = invocation.Command.Parent!;
            foreach (string name in invocation.Args)
            {
                CommandSpec? child = target.FindSubcommand(name);
                if (child is null)
                {
                    // cobra prints the topic with %#q, i.e. back-quoted.
                    invocation.Err.WriteLine("Unknown help topic [" + string.Join(' ', invocation.Args.Select(a => "`" + a + "`")) + "]");
                    target = invocation.Command.Parent!;
                    break;
                }

                target = child;
            }

            UsageText.Write(target, invocation.Flags, invocation.Out);
            return Task.CompletedTask;
        },
    };
}
