using Etcd.Ctl.Cli;
using Etcd.Ctl.Commands;
using Etcd.Ctl.Output;
using Etcd.Storage.Backend.RocksDb.Native;

namespace Etcd.Ctl;

/// <summary>etcdctl entry point: picks the API version, resolves the command, parses flags, runs it.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        using var stdout = new ConsoleOutput(Console.OpenStandardOutput());
        using var stderr = new ConsoleOutput(Console.OpenStandardError());
        int code;
        try
        {
            code = Run(args, environment, stdout, stderr, Console.OpenStandardInput).GetAwaiter().GetResult();
        }
        catch (Exception e) when (RocksDbLibrary.IsMissing(e, out var message))
        {
            // Only snapshot restore and backup write a RocksDB backend; the rest never load it.
            stderr.WriteLine(message);
            code = ExitCode.Error;
        }
        stdout.Flush();
        stderr.Flush();
        return code;
    }

    /// <summary>Runs one etcdctl command line; returns the exit code.</summary>
    public static async Task<int> Run(IReadOnlyList<string> args, Dictionary<string, string> environment, ConsoleOutput stdout, ConsoleOutput stderr, Func<Stream> openStdin)
    {
        // Like etcdctl, consume ETCDCTL_API so it is not mistaken for a flag's variable.
        environment.Remove("ETCDCTL_API", out string? api);
        if (api == "2")
        {
            return await V2.V2App.Run(args, environment, stdout, stderr, openStdin).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(api) && api != "3")
        {
            stderr.WriteLine("unsupported API version " + api);
            return ExitCode.Error;
        }

        CommandSpec root = CommandTree.Build();
        (CommandSpec command, List<string> rest) = Resolve(root, args);
        var flags = new FlagValues([.. command.Flags, .. command.PersistentFlags, .. command.InheritedFlags]);
        NewcomerHints.ReadSingleDashLongFlags(rest, flags, stderr);
        ParseResult parsed = ArgumentParser.Parse(rest, flags);
        if (parsed.Error is not null)
        {
            // cobra reports the error, prints the usage, then etcdctl reports the error again.
            stderr.WriteLine("Error: " + parsed.Error);
            UsageText.Write(command, flags, stdout);
            stdout.Flush();
            stderr.WriteLine();
            stderr.WriteLine("Error: " + parsed.Error);
            if (parsed.Error == "unknown flag: --version")
            {
                stderr.WriteLine(NewcomerHints.VersionIsACommand);
            }

            return ExitCode.Error;
        }

        if (parsed.HelpRequested || command.Run is null)
        {
            if (command.Run is null && command.Parent is null && parsed.Args.Count > 0)
            {
                string unknown = "unknown command " + GoText.QuoteString(parsed.Args[0]) + " for " + GoText.QuoteString(command.Path)
                    + CommandSuggestions.For(command, parsed.Args[0]);
                stderr.WriteLine("Error: " + unknown);
                stderr.WriteLine("Run '" + command.Path + " --help' for usage.");
                stderr.WriteLine("Error: " + unknown);
                if (NewcomerHints.V2OnlyCommand(parsed.Args[0]) is { } hint)
                {
                    stderr.WriteLine(hint);
                }

                return ExitCode.Error;
            }

            UsageText.Write(command, flags, stdout);
            return ExitCode.Success;
        }

        var invocation = new Invocation
        {
            Command = command,
            Flags = flags,
            Args = parsed.Args,
            RawArgs = args,
            Out = stdout,
            Err = stderr,
            OpenStdin = openStdin,
            Environment = environment,
        };
        try
        {
            await command.Run(invocation).ConfigureAwait(false);
            return ExitCode.Success;
        }
        catch (CtlExitException e)
        {
            return Fail(stdout, stderr, e.Code, e.HasMessage ? e.Message : null);
        }
        catch (CallFailedException e)
        {
            return Fail(stdout, stderr, ExitCode.Error, e.Message);
        }
    }

    private static int Fail(ConsoleOutput stdout, ConsoleOutput stderr, int code, string? message)
    {
        stdout.Flush();
        if (message is not null)
        {
            stderr.WriteLine("Error: " + message);
        }

        return code;
    }

    /// <summary>
    /// Walks subcommand names (exact or unique prefix) through the arguments, skipping flags and
    /// the values of non-bool flags, as cobra does; returns the command and the remaining arguments.
    /// </summary>
    private static (CommandSpec Command, List<string> Remaining) Resolve(CommandSpec root, IReadOnlyList<string> args)
    {
        CommandSpec current = root;
        var rest = new List<string>(args);
        int i = 0;
        while (i < rest.Count)
        {
            string arg = rest[i];
            if (arg == "--")
            {
                break;
            }

            if (arg.StartsWith('-') && arg.Length > 1)
            {
                i += TakesSeparateValue(current, arg) ? 2 : 1;
                continue;
            }

            CommandSpec? child = current.FindSubcommand(arg);
            if (child is null)
            {
                break;
            }

            current = child;
            rest.RemoveAt(i);
        }

        return (current, rest);
    }

    private static bool TakesSeparateValue(CommandSpec command, string arg)
    {
        if (arg.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        var flags = new FlagValues([.. command.Flags, .. command.PersistentFlags, .. command.InheritedFlags]);
        FlagSpec? flag = arg.StartsWith("--", StringComparison.Ordinal)
            ? flags.Find(arg[2..])
            : arg.Length == 2 ? flags.FindShorthand(arg[1]) : null;
        return flag is not null && flag.Kind != FlagKind.Bool;
    }
}
