using System.Text;
using Etcd.Ctl.Commands;
using Etcd.Ctl.Output;
using Etcd.Ctl.Text;

namespace Etcd.Ctl.Cli;

/// <summary>
/// The help page etcdctl prints for -h and for usage errors: NAME, USAGE, VERSION, COMMANDS,
/// DESCRIPTION, OPTIONS and GLOBAL OPTIONS, aligned with tabs.
/// </summary>
public static class UsageText
{
    private static readonly FlagSpec HelpFlagTemplate = FlagSpec.Bool("help", "", shorthand: 'h');

    public static void Write(CommandSpec command, FlagValues flags, ConsoleOutput output)
    {
        var sb = new StringBuilder();
        string name = command.Parent is null ? command.Name : RelativeName(command, Root(command));
        sb.Append("NAME:\n\t").Append(name).Append(" - ").Append(command.Short).Append('\n');
        sb.Append("\nUSAGE:\n\t").Append(UseLine(command)).Append('\n');
        if (command.Parent is null)
        {
            sb.Append("\nVERSION:\n\t").Append(VersionCommand.Version).Append('\n');
        }

        if (command.Subcommands.Count > 0)
        {
            sb.Append("\nAPI VERSION:\n\t").Append(VersionCommand.ApiVersion).Append('\n');
            sb.Append("\n\nCOMMANDS:\n");
            foreach ((string path, CommandSpec sub) in Descendants(command))
            {
                sb.Append('\t').Append(path).Append('\t').Append(sub.Short).Append('\n');
            }
        }

        if (!string.IsNullOrEmpty(command.Long))
        {
            sb.Append("\nDESCRIPTION:\n");
            foreach (string line in command.Long.Trim('\n', '\t', ' ').Split('\n'))
            {
                sb.Append('\t').Append(line).Append('\n');
            }
        }

        var local = new List<FlagSpec>(command.Flags);
        local.AddRange(command.PersistentFlags);
        local.Add(HelpFlagTemplate with { Usage = "help for " + command.Name });
        sb.Append("\nOPTIONS:\n");
        AppendFlags(sb, local);
        var inherited = new List<FlagSpec>(command.InheritedFlags);
        if (inherited.Count > 0)
        {
            sb.Append("\nGLOBAL OPTIONS:\n");
            AppendFlags(sb, inherited);
        }

        sb.Append('\n');
        output.Write(GoTabWriter.Format(sb.ToString()));
        _ = flags;
    }

    private static void AppendFlags(StringBuilder sb, List<FlagSpec> flags)
    {
        flags.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string? previous = null;
        foreach (FlagSpec flag in flags)
        {
            if (flag.Name == previous)
            {
                continue;
            }

            previous = flag.Name;
            sb.Append(flag.Shorthand is char c ? "  -" + c + ", --" : "      --").Append(flag.Name);
            string value = flag.Kind == FlagKind.String ? GoText.QuoteString(flag.Default) : flag.Default;
            sb.Append(flag.Kind == FlagKind.Bool ? "[=" + value + "]" : "=" + value);
            sb.Append('\t').Append(flag.Usage).Append('\n');
        }
    }

    private static string UseLine(CommandSpec command)
    {
        string line = command.Parent is null ? command.Use : command.Parent.Path + " " + command.Use;
        return line.Contains("[flags]", StringComparison.Ordinal) ? line : line + " [flags]";
    }

    // Every runnable command below this one, sorted by name at each level (cobra's order).
    private static List<(string Path, CommandSpec Command)> Descendants(CommandSpec command)
    {
        var result = new List<(string, CommandSpec)>();
        var children = new List<CommandSpec>(command.Subcommands);
        children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (CommandSpec child in children)
        {
            if (child.Run is not null)
            {
                result.Add((child.Name, child));
            }

            foreach ((string path, CommandSpec c) in Descendants(child))
            {
                result.Add((child.Name + " " + path, c));
            }
        }

        return result;
    }

    private static string RelativeName(CommandSpec command, CommandSpec start)
    {
        string name = command.Name;
        for (CommandSpec? c = command.Parent; c is not null && c != start; c = c.Parent)
        {
            name = c.Name + " " + name;
        }

        return name;
    }

    private static CommandSpec Root(CommandSpec command)
    {
        CommandSpec c = command;
        while (c.Parent is not null)
        {
            c = c.Parent;
        }

        return c;
    }
}
