using System.Text;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>The value types of etcdctl v2's flags (urfave/cli's flag kinds).</summary>
public enum V2FlagKind
{
    Bool,
    String,
    Int,
    Duration,
    StringSlice,
}

/// <summary>
/// One v2 flag: its names ("output, o": long name first, then aliases), kind, default and usage.
/// <see cref="HelpLine"/> renders it as urfave/cli's help does.
/// </summary>
public sealed record V2Flag(string Names, V2FlagKind Kind, string Default, string Usage)
{
    public static V2Flag Bool(string names, string usage) => new(names, V2FlagKind.Bool, "false", usage);

    public static V2Flag String(string names, string usage, string defaultValue = "") => new(names, V2FlagKind.String, defaultValue, usage);

    public static V2Flag Int(string names, string usage) => new(names, V2FlagKind.Int, "0", usage);

    public static V2Flag Duration(string names, string usage, string defaultValue) => new(names, V2FlagKind.Duration, defaultValue, usage);

    public static V2Flag StringSlice(string names, string usage) => new(names, V2FlagKind.StringSlice, "", usage);

    public static readonly V2Flag Help = Bool("help, h", "show help");

    public static readonly V2Flag Version = Bool("version, v", "print the version");

    /// <summary>Every name of the flag, trimmed.</summary>
    public IEnumerable<string> EachName()
    {
        foreach (string name in Names.Split(','))
        {
            yield return name.Trim();
        }
    }

    public string PrimaryName => Names.Split(',')[0].Trim();

    /// <summary>"--ttl value\tkey time-to-live in seconds (default: 0)".</summary>
    public string HelpLine()
    {
        (string placeholder, string usage) = UnquoteUsage(Usage);
        if (Kind != V2FlagKind.Bool && placeholder.Length == 0)
        {
            placeholder = "value";
        }

        var sb = new StringBuilder();
        bool first = true;
        foreach (string name in EachName())
        {
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append(name.Length == 1 ? "-" : "--").Append(name);
            if (Kind != V2FlagKind.Bool)
            {
                sb.Append(' ').Append(placeholder);
            }
        }

        string defaultText = Kind switch
        {
            V2FlagKind.String when Default.Length > 0 => " (default: " + GoText.QuoteString(Default) + ")",
            V2FlagKind.Int or V2FlagKind.Duration => " (default: " + Default + ")",
            _ => "",
        };
        sb.Append('\t').Append((usage + defaultText).Trim());
        return sb.ToString();
    }

    // The first back-quoted word of the usage is the value's placeholder (the quotes are dropped).
    private static (string Placeholder, string Usage) UnquoteUsage(string usage)
    {
        int open = usage.IndexOf('`', StringComparison.Ordinal);
        if (open < 0)
        {
            return ("", usage);
        }

        int close = usage.IndexOf('`', open + 1);
        if (close < 0)
        {
            return ("", usage);
        }

        string name = usage[(open + 1)..close];
        return (name, usage[..open] + name + usage[(close + 1)..]);
    }
}
