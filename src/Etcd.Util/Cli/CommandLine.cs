namespace Etcd.Util.Cli;

/// <summary>
/// Arguments as cobra/pflag read them: <c>--flag=value</c>, <c>--flag value</c>, <c>-w value</c>,
/// booleans bare or with <c>=true|false</c>, positional arguments anywhere, <c>--</c> ends flags.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private CommandLine(List<string> positional) => Positional = positional;

    public List<string> Positional { get; }

    /// <param name="flags">Known flags: long name to whether it is boolean; <paramref name="shorthands"/> maps one-letter names.</param>
    public static CommandLine Parse(IEnumerable<string> args, IReadOnlyDictionary<string, bool> flags, IReadOnlyDictionary<char, string>? shorthands = null)
    {
        var line = new CommandLine([]);
        using var e = args.GetEnumerator();
        var flagsEnded = false;
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (flagsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                line.Positional.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                flagsEnded = true;
                continue;
            }
            string name;
            string? value = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var body = arg[2..];
                var eq = body.IndexOf('=');
                (name, value) = eq >= 0 ? (body[..eq], body[(eq + 1)..]) : (body, null);
            }
            else
            {
                var letter = arg[1];
                if (shorthands is null || !shorthands.TryGetValue(letter, out name!))
                {
                    throw new UtilException($"unknown shorthand flag: '{letter}' in {arg}");
                }
                value = arg.Length > 2 ? arg[2..].TrimStart('=') : null;
            }
            if (!flags.TryGetValue(name, out var isBool)) throw new UtilException($"unknown flag: --{name}");
            if (isBool)
            {
                value ??= "true";
                if (value is not ("true" or "false" or "1" or "0" or "t" or "f" or "TRUE" or "FALSE" or "True" or "False"))
                {
                    throw new UtilException($"invalid argument \"{value}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax");
                }
            }
            else if (value is null)
            {
                if (!e.MoveNext()) throw new UtilException($"flag needs an argument: --{name}");
                value = e.Current;
            }
            line._values[name] = value;
        }
        return line;
    }

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public bool Has(string name) => _values.ContainsKey(name);

    public bool Flag(string name) => _values.TryGetValue(name, out var v) && v is "true" or "1" or "t" or "TRUE" or "True";
}
