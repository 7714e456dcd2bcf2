using Etcd.Ctl.Commands;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>
/// etcdctl under ETCDCTL_API=2: urfave/cli's application (global flags, help and version,
/// commands with their own flags, groups of subcommands) over the v2 commands.
/// </summary>
public static class V2App
{
    public static readonly IReadOnlyList<V2Flag> GlobalFlags =
    [
        V2Flag.Bool("debug", "output cURL commands which can be used to reproduce the request"),
        V2Flag.Bool("no-sync", "don't synchronize cluster information before sending request"),
        V2Flag.String("output, o", "output response in the given format (`simple`, `extended` or `json`)", "simple"),
        V2Flag.String("discovery-srv, D", "domain name to query for SRV records describing cluster endpoints"),
        V2Flag.Bool("insecure-discovery", "accept insecure SRV records describing cluster endpoints"),
        V2Flag.String("peers, C", "DEPRECATED - \"--endpoints\" should be used instead"),
        V2Flag.String("endpoint", "DEPRECATED - \"--endpoints\" should be used instead"),
        V2Flag.String("endpoints", "a comma-delimited list of machine addresses in the cluster (default: \"http://127.0.0.1:2379,http://127.0.0.1:4001\")"),
        V2Flag.String("cert-file", "identify HTTPS client using this SSL certificate file"),
        V2Flag.String("key-file", "identify HTTPS client using this SSL key file"),
        V2Flag.String("ca-file", "verify certificates of HTTPS-enabled servers using this CA bundle"),
        V2Flag.String("username, u", "provide username[:password] and prompt if password is not supplied."),
        V2Flag.Duration("timeout", "connection timeout per request", "2s"),
        V2Flag.Duration("total-timeout", "timeout for the command execution (except watch)", "5s"),
        V2Flag.Help,
        V2Flag.Version,
    ];

    private static V2Command BuildRoot() => new()
    {
        Name = "etcdctl",
        Usage = "A simple command line client for etcd.",
        Subcommands =
        [
            V2BackupCommand.Create(),
            V2ClusterHealthCommand.Create(),
            V2KeyCommands.Mk(),
            V2KeyCommands.Mkdir(),
            V2KeyCommands.Rm(),
            V2KeyCommands.RmDir(),
            V2KeyCommands.Get(),
            V2KeyCommands.Ls(),
            V2KeyCommands.Set(),
            V2KeyCommands.SetDir(),
            V2KeyCommands.Update(),
            V2KeyCommands.UpdateDir(),
            V2WatchCommands.Watch(),
            V2WatchCommands.ExecWatch(),
            V2MemberCommands.Create(),
            V2AuthCommands.User(),
            V2AuthCommands.Role(),
            V2AuthCommands.Auth(),
            new V2Command { Name = "help", Aliases = ["h"], Usage = "Shows a list of commands or help for one command", ArgsUsage = "[command]" },
        ],
    };

    /// <summary>The names of the v2 commands (for the hint when one is typed under API 3).</summary>
    public static bool IsV2OnlyCommand(string name) => name is "set" or "mk" or "mkdir" or "rm" or "rmdir" or "ls" or "setdir" or "update" or "updatedir" or "exec-watch" or "cluster-health" or "backup";

    public static async Task<int> Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, ConsoleOutput stdout, ConsoleOutput stderr, Func<Stream> openStdin)
    {
        V2Command root = BuildRoot();
        var global = new GoFlagSet(GlobalFlags);
        string? error = global.Parse(args) ?? global.TwoFormsError();
        if (error is not null)
        {
            stdout.Write(error.StartsWith("Cannot use", StringComparison.Ordinal) ? error + "\n\n" : "Incorrect Usage. " + error + "\n\n");
            stdout.Write(V2Help.App(root, GlobalFlags));
            return Failed(stdout, stderr, error);
        }

        if (global.GetBool("help"))
        {
            stdout.Write(V2Help.App(root, GlobalFlags));
            return 0;
        }

        if (global.GetBool("version"))
        {
            stdout.Write("etcdctl version: " + VersionCommand.Version + "\nAPI version: 2\n");
            return 0;
        }

        List<string> rest = global.Args;
        if (rest.Count == 0)
        {
            stdout.Write(V2Help.App(root, GlobalFlags));
            return 0;
        }

        V2Command? command = root.Find(rest[0]);
        if (command is null || command.Name == "help")
        {
            return Help(root, command is null ? rest : rest[1..], stdout, stderr);
        }

        try
        {
            return await RunCommand(command, "etcdctl " + command.Name, rest[1..], global, environment, stdout, stderr, openStdin).ConfigureAwait(false);
        }
        catch (V2ExitException e)
        {
            return e.Code;
        }
    }

    // "help", "help get" and an unknown command (urfave/cli sends those to its help command).
    private static int Help(V2Command group, IReadOnlyList<string> args, ConsoleOutput stdout, ConsoleOutput stderr)
    {
        if (args.Count == 0)
        {
            stdout.Write(group.Name == "etcdctl" ? V2Help.App(group, GlobalFlags) : V2Help.SubApp(group));
            return 0;
        }

        V2Command? command = group.Find(args[0]);
        if (command is null)
        {
            stdout.Flush();
            stderr.WriteLine("No help topic for '" + args[0] + "'");
            return 3;
        }

        string path = group.Name == "etcdctl" ? "etcdctl " + command.Name : "etcdctl " + group.Name + " " + command.Name;
        stdout.Write(command.Subcommands.Count > 0 ? V2Help.Subcommand(command) : V2Help.Command(command, path));
        return 0;
    }

    private static async Task<int> RunCommand(V2Command command, string path, IReadOnlyList<string> args, GoFlagSet global, IReadOnlyDictionary<string, string> environment, ConsoleOutput stdout, ConsoleOutput stderr, Func<Stream> openStdin)
    {
        if (command.Subcommands.Count > 0)
        {
            return await RunGroup(command, args, global, environment, stdout, stderr, openStdin).ConfigureAwait(false);
        }

        var flags = new GoFlagSet([.. command.Flags, V2Flag.Help]);
        string? error = flags.Parse(GoFlagSet.Reorder([.. command.Flags, V2Flag.Help], args)) ?? flags.TwoFormsError();
        if (error is not null)
        {
            stdout.Write("Incorrect Usage: " + error + "\n\n");
            stdout.Write(V2Help.Command(command, path));
            return Failed(stdout, stderr, error);
        }

        if (flags.GetBool("help"))
        {
            stdout.Write(V2Help.Command(command, path));
            return 0;
        }

        var context = new V2Context
        {
            Global = global,
            Flags = flags,
            Out = stdout,
            Err = stderr,
            OpenStdin = openStdin,
            Environment = environment,
            CommandPath = path,
        };
        if (command.SyncsFirst)
        {
            await context.ClientAsync().ConfigureAwait(false);
        }

        return command.Action is null ? 0 : await command.Action(context).ConfigureAwait(false);
    }

    // A group (member, user, role, auth) runs as a sub-application.
    private static async Task<int> RunGroup(V2Command group, IReadOnlyList<string> args, GoFlagSet global, IReadOnlyDictionary<string, string> environment, ConsoleOutput stdout, ConsoleOutput stderr, Func<Stream> openStdin)
    {
        var own = new GoFlagSet([V2Flag.Help]);
        string? error = own.Parse(args);
        if (error is not null)
        {
            stdout.Write("Incorrect Usage. " + error + "\n\n");
            stdout.Write(V2Help.SubApp(group));
            return Failed(stdout, stderr, error);
        }

        if (own.GetBool("help") || own.Args.Count == 0)
        {
            stdout.Write(V2Help.Subcommand(group));
            return 0;
        }

        if (own.Args[0] is "help" or "h")
        {
            return Help(group, own.Args[1..], stdout, stderr);
        }

        V2Command? command = group.Find(own.Args[0]);
        if (command is null)
        {
            return Help(group, own.Args, stdout, stderr);
        }

        return await RunCommand(command, "etcdctl " + group.Name + " " + command.Name, own.Args[1..], global, environment, stdout, stderr, openStdin).ConfigureAwait(false);
    }

    private static int Failed(ConsoleOutput stdout, ConsoleOutput stderr, string error)
    {
        stdout.Flush();
        stderr.WriteLine(error);
        return 1;
    }
}
