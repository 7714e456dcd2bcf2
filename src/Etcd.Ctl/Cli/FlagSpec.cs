namespace Etcd.Ctl.Cli;

/// <summary>The value types etcdctl's flags use; each parses and prints like its Go (pflag) counterpart.</summary>
public enum FlagKind
{
    Bool,
    String,
    Int64,
    Uint64,
    Duration,
    StringSlice,
}

/// <summary>One command-line flag: its name, optional one-letter shorthand, type, default and help text.</summary>
public sealed record FlagSpec(string Name, char? Shorthand, FlagKind Kind, string Default, string Usage)
{
    public static FlagSpec Bool(string name, string usage, bool defaultValue = false, char? shorthand = null)
        => new(name, shorthand, FlagKind.Bool, defaultValue ? "true" : "false", usage);

    public static FlagSpec String(string name, string defaultValue, string usage, char? shorthand = null)
        => new(name, shorthand, FlagKind.String, defaultValue, usage);

    public static FlagSpec Int64(string name, long defaultValue, string usage)
        => new(name, null, FlagKind.Int64, defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture), usage);

    public static FlagSpec Uint64(string name, ulong defaultValue, string usage)
        => new(name, null, FlagKind.Uint64, defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture), usage);

    public static FlagSpec Duration(string name, string defaultValue, string usage)
        => new(name, null, FlagKind.Duration, defaultValue, usage);

    public static FlagSpec StringSlice(string name, string defaultValue, string usage)
        => new(name, null, FlagKind.StringSlice, defaultValue, usage);
}
