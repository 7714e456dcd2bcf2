using System.Text;
using Etcd.Ctl.Commands;

namespace Etcd.Ctl.V2;

/// <summary>
/// The help pages of etcdctl v2 (urfave/cli's app, command and subcommand templates), aligned
/// by a tab writer that pads with two spaces.
/// </summary>
public static class V2Help
{
    public const string AppName = "etcdctl";

    /// <summary>"etcdctl --help": name, usage, version, commands and global options.</summary>
    public static string App(V2Command root, IReadOnlyList<V2Flag> globalFlags)
    {
        var sb = new StringBuilder();
        sb.Append("NAME:\n   ").Append(AppName).Append(" - ").Append(root.Usage).Append("\n\n");
        sb.Append("USAGE:\n   ").Append(AppName).Append(" [global options] command [command options] [arguments...]\n\n");
        sb.Append("VERSION:\n   ").Append(VersionCommand.Version).Append("\n\n");
        sb.Append("COMMANDS:");
        foreach (V2Command command in root.Subcommands)
        {
            sb.Append("\n   ").Append(command.DisplayNames).Append('\t').Append(command.Usage);
        }

        sb.Append("\n\nGLOBAL OPTIONS:\n   ");
        for (int i = 0; i < globalFlags.Count; i++)
        {
            if (i > 0)
            {
                sb.Append("\n   ");
            }

            sb.Append(globalFlags[i].HelpLine());
        }

        sb.Append('\n');
        return Align(sb.ToString());
    }

    /// <summary>A command with subcommands, shown by "etcdctl member" or "etcdctl member -h".</summary>
    public static string Subcommand(V2Command command, bool withOptions = true)
    {
        var sb = new StringBuilder();
        string helpName = AppName + " " + command.Name;
        sb.Append("NAME:\n   ").Append(helpName).Append(" - ").Append(command.Description.Length > 0 ? command.Description : command.Usage).Append("\n\n");
        sb.Append("USAGE:\n   ").Append(helpName).Append(" command [command options] ")
            .Append(command.ArgsUsage.Length > 0 ? command.ArgsUsage : "[arguments...]").Append("\n\n");
        sb.Append("COMMANDS:");
        foreach (V2Command sub in command.Subcommands)
        {
            sb.Append("\n   ").Append(sub.DisplayNames).Append('\t').Append(sub.Usage);
        }

        if (withOptions)
        {
            sb.Append("\n\nOPTIONS:\n   ").Append(V2Flag.Help.HelpLine()).Append("\n   ");
        }

        sb.Append('\n');
        return Align(sb.ToString());
    }

    /// <summary>"etcdctl member help": the group shown with the application template.</summary>
    public static string SubApp(V2Command command)
    {
        var sb = new StringBuilder();
        string name = AppName + " " + command.Name;
        sb.Append("NAME:\n   ").Append(name).Append(" - ").Append(command.Usage).Append("\n\n");
        sb.Append("USAGE:\n   ").Append(name).Append(" [global options] command [command options] [arguments...]\n\n");
        sb.Append("VERSION:\n   ").Append(VersionCommand.Version).Append("\n\n");
        if (command.Description.Length > 0)
        {
            sb.Append("DESCRIPTION:\n   ").Append(command.Description).Append("\n\n");
        }

        sb.Append("COMMANDS:");
        foreach (V2Command sub in command.Subcommands)
        {
            sb.Append("\n   ").Append(sub.DisplayNames).Append('\t').Append(sub.Usage);
        }

        sb.Append("\n\nGLOBAL OPTIONS:\n   ").Append(V2Flag.Help.HelpLine()).Append('\n');
        return Align(sb.ToString());
    }

    /// <summary>One command's page; <paramref name="helpName"/> is "etcdctl get" or "etcdctl member list".</summary>
    public static string Command(V2Command command, string helpName)
    {
        var sb = new StringBuilder();
        sb.Append("NAME:\n   ").Append(helpName).Append(" - ").Append(command.Usage).Append("\n\n");
        sb.Append("USAGE:\n   ").Append(helpName);
        if (command.Flags.Count > 0)
        {
            sb.Append(" [command options]");
        }

        sb.Append(' ').Append(command.ArgsUsage.Length > 0 ? command.ArgsUsage : "[arguments...]");
        if (command.Description.Length > 0)
        {
            sb.Append("\n\nDESCRIPTION:\n   ").Append(command.Description);
        }

        if (command.Flags.Count > 0)
        {
            sb.Append("\n\nOPTIONS:\n   ");
            foreach (V2Flag flag in command.Flags)
            {
                sb.Append(flag.HelpLine()).Append("\n   ");
            }
        }

        sb.Append('\n');
        return Align(sb.ToString());
    }

    // Go's tabwriter (minwidth 1, tabwidth 8, padding 2, spaces): consecutive lines with a tab
    // form a column as wide as its widest first cell plus two.
    private static string Align(string text)
    {
        string[] lines = text.Split('\n');
        var sb = new StringBuilder(text.Length + 256);
        int i = 0;
        while (i < lines.Length)
        {
            if (!lines[i].Contains('\t', StringComparison.Ordinal))
            {
                sb.Append(lines[i]);
                if (i < lines.Length - 1)
                {
                    sb.Append('\n');
                }

                i++;
                continue;
            }

            int end = i;
            int width = 0;
            while (end < lines.Length && lines[end].Contains('\t', StringComparison.Ordinal))
            {
                width = Math.Max(width, lines[end].IndexOf('\t', StringComparison.Ordinal));
                end++;
            }

            for (; i < end; i++)
            {
                int tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
                sb.Append(lines[i], 0, tab).Append(' ', width + 2 - tab).Append(lines[i], tab + 1, lines[i].Length - tab - 1);
                if (i < lines.Length - 1)
                {
                    sb.Append('\n');
                }
            }
        }

        return sb.ToString();
    }
}
