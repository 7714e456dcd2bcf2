using Etcd.Api.Text;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>
/// Flags parsed the way Go's flag package does (etcdctl v2 is built on it): one or two dashes
/// mean the same, "-name=value" or "-name value", bool flags take no separate value, parsing
/// stops at the first non-flag argument or after "--". Error texts are Go's.
/// </summary>
public sealed class GoFlagSet
{
    private readonly Dictionary<string, V2Flag> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _slices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _namesUsed = new(StringComparer.Ordinal);

    public GoFlagSet(IEnumerable<V2Flag> flags)
    {
        foreach (V2Flag flag in flags)
        {
            foreach (string name in flag.EachName())
            {
                _byName.TryAdd(name, flag);
            }
        }
    }

    /// <summary>The arguments left after the flags.</summary>
    public List<string> Args { get; } = [];

    /// <summary>Parses; returns Go's error text or null.</summary>
    public string? Parse(IReadOnlyList<string> arguments)
    {
        int i = 0;
        while (i < arguments.Count)
        {
            string arg = arguments[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            int minuses = 1;
            if (arg[1] == '-')
            {
                minuses = 2;
                if (arg.Length == 2)
                {
                    i++;
                    break;
                }
            }

            string name = arg[minuses..];
            if (name.Length == 0 || name[0] == '-' || name[0] == '=')
            {
                return "bad flag syntax: " + arg;
            }

            i++;
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 1)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (!_byName.TryGetValue(name, out V2Flag? flag))
            {
                return "flag provided but not defined: -" + name;
            }

            if (flag.Kind == V2FlagKind.Bool)
            {
                if (value is not null && FlagValues.ParseBool(value) is null)
                {
                    return "invalid boolean value " + GoText.QuoteString(value) + " for -" + name + ": parse error";
                }

                Set(flag, name, value ?? "true");
                continue;
            }

            if (value is null)
            {
                if (i >= arguments.Count)
                {
                    return "flag needs an argument: -" + name;
                }

                value = arguments[i];
                i++;
            }

            string? problem = Validate(flag, value);
            if (problem is not null)
            {
                return "invalid value " + GoText.QuoteString(value) + " for flag -" + name + ": " + problem;
            }

            Set(flag, name, value);
        }

        for (; i < arguments.Count; i++)
        {
            Args.Add(arguments[i]);
        }

        return null;
    }

    /// <summary>urfave/cli's check that a flag was not given under two of its names.</summary>
    public string? TwoFormsError()
    {
        foreach ((string _, List<string> names) in _namesUsed)
        {
            if (names.Count > 1)
            {
                // urfave/cli names the second form it meets (in declaration order) first.
                return "Cannot use two forms of the same flag: " + names[1] + " " + names[0];
            }
        }

        return null;
    }

    public bool IsSet(string name) => _byName.TryGetValue(name, out V2Flag? flag) && _values.ContainsKey(flag.PrimaryName);

    public bool GetBool(string name) => FlagValues.ParseBool(Raw(name)) == true;

    public string GetString(string name) => Raw(name);

    public long GetInt(string name) => FlagValues.ParseInt64(Raw(name)) ?? 0;

    public TimeSpan GetDuration(string name) => GoDuration.TryParse(Raw(name), out TimeSpan value, out _) ? value : TimeSpan.Zero;

    public IReadOnlyList<string> GetStringSlice(string name)
        => _byName.TryGetValue(name, out V2Flag? flag) && _slices.TryGetValue(flag.PrimaryName, out List<string>? items) ? items : [];

    private string Raw(string name)
    {
        if (!_byName.TryGetValue(name, out V2Flag? flag))
        {
            return "";
        }

        return _values.TryGetValue(flag.PrimaryName, out string? value) ? value : flag.Default;
    }

    private void Set(V2Flag flag, string usedName, string value)
    {
        string key = flag.PrimaryName;
        _values[key] = value;
        if (flag.Kind == V2FlagKind.StringSlice)
        {
            if (!_slices.TryGetValue(key, out List<string>? items))
            {
                items = [];
                _slices[key] = items;
            }

            items.Add(value);
        }

        if (!_namesUsed.TryGetValue(key, out List<string>? used))
        {
            used = [];
            _namesUsed[key] = used;
        }

        // The check reports the flag's names in declaration order.
        if (!used.Contains(usedName))
        {
            used.Add(usedName);
            var order = new List<string>(flag.EachName());
            used.Sort((a, b) => order.IndexOf(a).CompareTo(order.IndexOf(b)));
        }
    }

    private static string? Validate(V2Flag flag, string value) => flag.Kind switch
    {
        V2FlagKind.Int => FlagValues.ParseInt64(value) is null ? "parse error" : null,
        V2FlagKind.Duration => GoDuration.TryParse(value, out _, out _) ? null : "parse error",
        _ => null,
    };

    /// <summary>
    /// urfave/cli moves a command's flags that follow its arguments in front of them, so
    /// "ls dir -r" works; everything after "--" stays as it is.
    /// </summary>
    public static List<string> Reorder(IReadOnlyList<V2Flag> flags, IReadOnlyList<string> args)
    {
        var reordered = new List<string>();
        var remaining = new List<string>();
        bool nextMayBeValue = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (nextMayBeValue && !IsFlag(flags, arg))
            {
                nextMayBeValue = false;
                reordered.Add(arg);
            }
            else if (arg == "--")
            {
                remaining.Insert(0, "--");
                for (int j = i + 1; j < args.Count; j++)
                {
                    remaining.Add(args[j]);
                }

                break;
            }
            else if (IsFlag(flags, arg))
            {
                reordered.Add(arg);
                nextMayBeValue = !arg.Contains('=', StringComparison.Ordinal);
            }
            else
            {
                remaining.Add(arg);
            }
        }

        reordered.AddRange(remaining);
        return reordered;
    }

    private static bool IsFlag(IReadOnlyList<V2Flag> flags, string arg)
    {
        if (arg is "-" or "--" || !arg.StartsWith('-'))
        {
            return false;
        }

        string name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
        int eq = name.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            name = name[..eq];
        }

        foreach (V2Flag flag in flags)
        {
            foreach (string n in flag.EachName())
            {
                if (n == name)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
