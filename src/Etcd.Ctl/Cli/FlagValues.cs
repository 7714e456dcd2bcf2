using System.Globalization;
using Etcd.Api.Text;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Cli;

/// <summary>
/// The flags a command accepts and the values they ended up with. Values are validated when set,
/// so reading them cannot fail; messages follow Go's pflag so scripts see the same errors.
/// </summary>
public sealed class FlagValues
{
    private readonly Dictionary<string, FlagSpec> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<char, FlagSpec> _byShorthand = [];
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _slices = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    public FlagValues(IEnumerable<FlagSpec> flags)
    {
        foreach (FlagSpec flag in flags)
        {
            // A command's own flag shadows an inherited one of the same name, as in pflag.
            if (_byName.TryAdd(flag.Name, flag) && flag.Shorthand is char c)
            {
                _byShorthand.TryAdd(c, flag);
            }
        }
    }

    public IEnumerable<FlagSpec> All => _byName.Values;

    public FlagSpec? Find(string name) => _byName.GetValueOrDefault(name);

    public FlagSpec? FindShorthand(char c) => _byShorthand.GetValueOrDefault(c);

    /// <summary>True when the flag was given on the command line or by environment.</summary>
    public bool Changed(string name) => _changed.Contains(name);

    /// <summary>Sets a flag from text; returns pflag's error message on bad input.</summary>
    public string? Set(FlagSpec flag, string value)
    {
        string? problem = Validate(flag, value);
        if (problem is not null)
        {
            string shown = flag.Shorthand is char c ? "-" + c + ", --" + flag.Name : "--" + flag.Name;
            return "invalid argument \"" + value + "\" for \"" + shown + "\" flag: " + problem;
        }

        if (flag.Kind == FlagKind.StringSlice)
        {
            // The first use replaces the default; later uses append, as pflag's stringSlice does.
            if (!_slices.TryGetValue(flag.Name, out List<string>? items))
            {
                items = [];
                _slices[flag.Name] = items;
            }

            items.AddRange(SplitList(value));
        }
        else
        {
            _values[flag.Name] = value;
        }

        _changed.Add(flag.Name);
        return null;
    }

    public bool GetBool(string name) => ParseBool(Raw(name)) == true;

    public string GetString(string name) => Raw(name);

    public long GetInt64(string name) => ParseInt64(Raw(name)) ?? 0;

    public ulong GetUint64(string name) => ParseUint64(Raw(name)) ?? 0;

    public TimeSpan GetDuration(string name)
        => GoDuration.TryParse(Raw(name), out TimeSpan value, out _) ? value : TimeSpan.Zero;

    public IReadOnlyList<string> GetStringSlice(string name)
    {
        if (_slices.TryGetValue(name, out List<string>? items))
        {
            return items;
        }

        string text = Raw(name);
        return SplitList(text.Trim('[', ']'));
    }

    /// <summary>The value as text: what was set, else the default (pflag's DefValue).</summary>
    public string Raw(string name)
    {
        if (_values.TryGetValue(name, out string? value))
        {
            return value;
        }

        if (_slices.TryGetValue(name, out List<string>? items))
        {
            return "[" + string.Join(',', items) + "]";
        }

        return _byName.TryGetValue(name, out FlagSpec? flag) ? flag.Default : "";
    }

    private static string[] SplitList(string value)
        => value.Length == 0 ? [] : value.Split(',');

    private static string? Validate(FlagSpec flag, string value) => flag.Kind switch
    {
        FlagKind.Bool => ParseBool(value) is null ? "strconv.ParseBool: parsing " + GoText.QuoteString(value) + ": invalid syntax" : null,
        FlagKind.Int64 => ParseInt64(value) is null ? IntegerProblem("strconv.ParseInt", value) : null,
        FlagKind.Uint64 => ParseUint64(value) is null ? IntegerProblem("strconv.ParseUint", value) : null,
        FlagKind.Duration => GoDuration.TryParse(value, out _, out string error) ? null : error,
        _ => null,
    };

    private static string IntegerProblem(string function, string value)
    {
        bool digitsOnly = value.Length > 0 && value.TrimStart('-', '+').All(char.IsAsciiDigit);
        return function + ": parsing " + GoText.QuoteString(value) + (digitsOnly ? ": value out of range" : ": invalid syntax");
    }

    internal static bool? ParseBool(string s) => s switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    // pflag parses integers with base 0: "0x" hex, "0o"/"0" octal, "0b" binary prefixes are allowed.
    internal static long? ParseInt64(string s)
    {
        bool negative = s.StartsWith('-');
        string body = negative || s.StartsWith('+') ? s[1..] : s;
        ulong? magnitude = ParseUint64(body);
        if (magnitude is null || body.StartsWith('-') || body.StartsWith('+'))
        {
            return null;
        }

        if (negative)
        {
            return magnitude.Value <= 9223372036854775808UL ? (long)(0 - magnitude.Value) : null;
        }

        return magnitude.Value <= long.MaxValue ? (long)magnitude.Value : null;
    }

    internal static ulong? ParseUint64(string s)
    {
        string body = s.Replace("_", "", StringComparison.Ordinal);
        int radix = 10;
        if (body.Length > 2 && body[0] == '0' && (body[1] is 'x' or 'X'))
        {
            radix = 16;
            body = body[2..];
        }
        else if (body.Length > 2 && body[0] == '0' && (body[1] is 'b' or 'B'))
        {
            radix = 2;
            body = body[2..];
        }
        else if (body.Length > 2 && body[0] == '0' && (body[1] is 'o' or 'O'))
        {
            radix = 8;
            body = body[2..];
        }
        else if (body.Length > 1 && body[0] == '0')
        {
            radix = 8;
            body = body[1..];
        }

        if (body.Length == 0)
        {
            return null;
        }

        ulong result = 0;
        foreach (char ch in body)
        {
            int digit = char.IsAsciiDigit(ch) ? ch - '0' : char.IsAsciiLetter(ch) ? (char.ToLowerInvariant(ch) - 'a' + 10) : 99;
            if (digit >= radix)
            {
                return null;
            }

            UInt128 next = ((UInt128)result * (uint)radix) + (uint)digit;
            if (next > ulong.MaxValue)
            {
                return null;
            }

            result = (ulong)next;
        }

        return result;
    }

    /// <summary>Formats an integer flag value for messages, invariant culture.</summary>
    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
