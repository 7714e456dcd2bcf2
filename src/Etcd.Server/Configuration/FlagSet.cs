using System.Globalization;
using Etcd.Api.Text;

namespace Etcd.Server.Configuration;

/// <summary>
/// Command-line flags parsed the way Go's flag package parses etcd's: "-name v", "--name=v",
/// bare boolean flags, "--" ends the flags, the first non-flag argument stops parsing.
/// Values not given on the command line may come from ETCD_* environment variables.
/// </summary>
public sealed class FlagSet
{
    private readonly Dictionary<string, FlagDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _setOnCommandLine = new(StringComparer.Ordinal);
    private readonly HashSet<string> _setFromEnvironment = new(StringComparer.Ordinal);

    public FlagSet(IEnumerable<FlagDefinition> definitions)
    {
        foreach (var definition in definitions) _definitions.Add(definition.Name, definition);
    }

    public IReadOnlyCollection<FlagDefinition> Definitions => _definitions.Values;

    /// <summary>Arguments left after the flags (etcd refuses any).</summary>
    public IReadOnlyList<string> Positional { get; private set; } = [];

    /// <summary>True when "-h" or "--help" was given.</summary>
    public bool HelpRequested { get; private set; }

    /// <summary>Environment variables used and ignored, for the start-up log.</summary>
    public List<string> EnvironmentNotes { get; } = [];

    public void Parse(IReadOnlyList<string> args)
    {
        var i = 0;
        while (i < args.Count)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-') break;
            i++;
            var name = arg[1] == '-' ? arg[2..] : arg[1..];
            if (arg == "--") break;
            if (name.Length == 0 || name[0] == '-' || name[0] == '=') throw Usage($"bad flag syntax: {arg}");
            string? value = null;
            var equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (name is "h" or "help")
            {
                HelpRequested = true;
                continue;
            }
            if (!_definitions.TryGetValue(name, out var definition)) throw Usage($"flag provided but not defined: -{name}");
            if (definition.Kind == FlagKind.Bool)
            {
                value ??= "true";
                if (!TryParseBool(value, out _)) throw Usage($"invalid boolean value \"{value}\" for -{name}: parse error");
            }
            else if (value is null)
            {
                if (i >= args.Count) throw Usage($"flag needs an argument: -{name}");
                value = args[i++];
            }
            var problem = Check(definition, value);
            if (problem is not null) throw Usage($"invalid value \"{value}\" for flag -{name}: {problem}");
            _values[name] = value;
            _setOnCommandLine.Add(name);
        }
        Positional = args.Skip(i).ToArray();
    }

    /// <summary>Fills flags not given on the command line from ETCD_* variables, as etcd does.</summary>
    public void ApplyEnvironment(IDictionary<string, string> environment)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in _definitions.Values)
        {
            known.Add(definition.EnvironmentName);
            if (!environment.TryGetValue(definition.EnvironmentName, out var value) || value.Length == 0) continue;
            if (_setOnCommandLine.Contains(definition.Name))
            {
                throw new FlagError($"conflicting environment variable \"{definition.EnvironmentName}\" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)", 1, false);
            }
            var problem = definition.Kind == FlagKind.Bool
                ? (TryParseBool(value, out _) ? null : "parse error")
                : Check(definition, value);
            if (problem is not null) throw new FlagError($"invalid value \"{value}\" for {definition.EnvironmentName}: {problem}", 1, false);
            _values[definition.Name] = value;
            _setFromEnvironment.Add(definition.Name);
            EnvironmentNotes.Add($"recognized and used environment variable {definition.EnvironmentName}={value}");
        }
        foreach (var (key, value) in environment)
        {
            if (key.StartsWith("ETCD_", StringComparison.Ordinal) && !known.Contains(key) && !IgnoredEnvironment.Contains(key))
                EnvironmentNotes.Add($"unrecognized environment variable {key}={value}");
        }
    }

    // Variables etcd itself reads outside its flags; they are not typos.
    private static readonly HashSet<string> IgnoredEnvironment = new(StringComparer.Ordinal)
    {
        "ETCD_UNSUPPORTED_ARCH", "ETCD_VERIFY",
    };

    /// <summary>
    /// Sets the flags a --config-file names (<see cref="ConfigFile"/>); the file is then the whole
    /// configuration, as etcd ignores the command line and the environment when one is given.
    /// </summary>
    public void ApplyConfigFile(IEnumerable<KeyValuePair<string, string>> values)
    {
        foreach (var (name, value) in values)
        {
            var definition = Definition(name);
            var problem = definition.Kind == FlagKind.Bool
                ? (TryParseBool(value, out _) ? null : "parse error")
                : Check(definition, value);
            if (problem is not null) throw new FlagError($"invalid value \"{value}\" for \"{name}\" in the config file: {problem}", 1, false);
            _values[name] = value;
            _setOnCommandLine.Add(name);
        }
    }

    /// <summary>Whether the flag was given on the command line (or in the config file) or by environment.</summary>
    public bool IsSet(string name) => _setOnCommandLine.Contains(name) || _setFromEnvironment.Contains(name);

    public string GetString(string name) => _values.TryGetValue(name, out var v) ? v : Definition(name).Default;

    public bool GetBool(string name) => TryParseBool(GetString(name), out var b) && b;

    public long GetInt(string name) => long.Parse(GetString(name), CultureInfo.InvariantCulture);

    public ulong GetUint(string name)
    {
        var text = GetString(name);
        return text == "math.MaxUint32" ? uint.MaxValue : ulong.Parse(text, CultureInfo.InvariantCulture);
    }

    public TimeSpan GetDuration(string name) => GoDuration.TryParse(GetString(name), out var d) ? d : TimeSpan.Zero;

    public IReadOnlyList<Uri> GetUrls(string name)
    {
        var text = GetString(name);
        if (text.Length == 0) return [];
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var urls = new Uri[parts.Length];
        for (var i = 0; i < parts.Length; i++) urls[i] = new Uri(parts[i]);
        return urls;
    }

    private FlagDefinition Definition(string name) =>
        _definitions.TryGetValue(name, out var d) ? d : throw new ArgumentException($"no flag named {name}", nameof(name));

    private static FlagError Usage(string message) => new(message, 2, true);

    /// <summary>Go's strconv.ParseBool.</summary>
    private static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True": value = true; return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False": value = false; return true;
            default: value = false; return false;
        }
    }

    /// <summary>Null when the text is valid for the flag, else the reason Go's flag package would print.</summary>
    private static string? Check(FlagDefinition definition, string value)
    {
        switch (definition.Kind)
        {
            case FlagKind.Int:
                return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "parse error";
            case FlagKind.Uint:
                return ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : "parse error";
            case FlagKind.Duration:
                return GoDuration.TryParse(value, out _) ? null : "parse error";
            case FlagKind.Choice:
                return definition.Choices!.Contains(value) ? null : "invalid value";
            case FlagKind.Urls:
                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "unix" or "unixs"))
                        return $"URL scheme must be http, https, unix, or unixs: {part}";
                    if (uri.AbsolutePath is not ("" or "/") && uri.Scheme is "http" or "https")
                        return $"URL must not contain a path: {part}";
                }
                return null;
            default:
                return null;
        }
    }
}
