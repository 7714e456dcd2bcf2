using Etcd.Ctl.Output;

namespace Etcd.Ctl.Cli;

/// <summary>The outcome of parsing a command line against one command's flags.</summary>
public sealed record ParseResult(List<string> Args, bool HelpRequested, string? Error);

/// <summary>
/// Parses flags the way Go's pflag does (what etcdctl users are used to): flags may sit between
/// arguments, "--" ends flag parsing, "--name=value", "--name value", "-x value", "-xvalue",
/// and bool flags take no separate value.
/// </summary>
public static class ArgumentParser
{
    public static ParseResult Parse(IReadOnlyList<string> arguments, FlagValues flags)
    {
        var positional = new List<string>();
        bool help = false;
        for (int i = 0; i < arguments.Count; i++)
        {
            string arg = arguments[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                positional.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                for (int j = i + 1; j < arguments.Count; j++)
                {
                    positional.Add(arguments[j]);
                }

                break;
            }

            string? error = arg[1] == '-'
                ? ParseLong(arguments, ref i, flags, ref help)
                : ParseShort(arguments, ref i, flags, ref help);
            if (error is not null)
            {
                return new ParseResult(positional, help, error);
            }
        }

        return new ParseResult(positional, help, null);
    }

    private static string? ParseLong(IReadOnlyList<string> arguments, ref int i, FlagValues flags, ref bool help)
    {
        string arg = arguments[i];
        string body = arg[2..];
        if (body.Length == 0 || body[0] == '-' || body[0] == '=')
        {
            return "bad flag syntax: " + arg;
        }

        int eq = body.IndexOf('=');
        string name = eq < 0 ? body : body[..eq];
        FlagSpec? flag = flags.Find(name);
        if (flag is null)
        {
            if (name == "help")
            {
                help = true;
                return null;
            }

            return "unknown flag: --" + name;
        }

        if (eq >= 0)
        {
            return flags.Set(flag, body[(eq + 1)..]);
        }

        if (flag.Kind == FlagKind.Bool)
        {
            return flags.Set(flag, "true");
        }

        if (i + 1 < arguments.Count)
        {
            i++;
            return flags.Set(flag, arguments[i]);
        }

        return "flag needs an argument: " + arg;
    }

    private static string? ParseShort(IReadOnlyList<string> arguments, ref int i, FlagValues flags, ref bool help)
    {
        string shorthands = arguments[i][1..];
        while (shorthands.Length > 0)
        {
            char c = shorthands[0];
            FlagSpec? flag = flags.FindShorthand(c);
            if (flag is null)
            {
                if (c == 'h')
                {
                    help = true;
                    shorthands = shorthands[1..];
                    continue;
                }

                return "unknown shorthand flag: " + GoText.QuoteRune(c) + " in -" + shorthands;
            }

            if (shorthands.Length > 2 && shorthands[1] == '=')
            {
                return flags.Set(flag, shorthands[2..]);
            }

            if (flag.Kind == FlagKind.Bool)
            {
                string? error = flags.Set(flag, "true");
                if (error is not null)
                {
                    return error;
                }

                shorthands = shorthands[1..];
                continue;
            }

            if (shorthands.Length > 1)
            {
                return flags.Set(flag, shorthands[1..]);
            }

            if (i + 1 < arguments.Count)
            {
                i++;
                return flags.Set(flag, arguments[i]);
            }

            return "flag needs an argument: " + GoText.QuoteRune(c) + " in -" + shorthands;
        }

        return null;
    }
}
