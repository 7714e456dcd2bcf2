using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Ctl.Text;

namespace Etcd.Ctl.Commands;

/// <summary>
/// txn: reads compares, success ops and failure ops from stdin (each block ends with an empty
/// line) and commits them as one transaction; -i prints a prompt before each block.
/// </summary>
public static partial class TxnCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "txn",
        Use = "txn [options]",
        Short = "Txn processes all the requests in one transaction",
        Flags = [FlagSpec.Bool("interactive", "Input transaction in interactive mode", shorthand: 'i')],
        Run = Run,
    };

    private static async Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "txn command does not accept argument");
        }

        bool interactive = ctx.Flags.GetBool("interactive");
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        using var reader = new LineReader(invocation.OpenStdin());
        var request = new TxnRequest();
        Prompt(ctx, interactive, "compares:");
        foreach (string line in reader.ReadBlock())
        {
            request.Compare.Add(ParseCompare(line));
        }

        Prompt(ctx, interactive, "success requests (get, put, del):");
        foreach (string line in reader.ReadBlock())
        {
            request.Success.Add(ParseOperation(line, invocation));
        }

        Prompt(ctx, interactive, "failure requests (get, put, del):");
        foreach (string line in reader.ReadBlock())
        {
            request.Failure.Add(ParseOperation(line, invocation));
        }

        // etcdctl commits a txn without the command timeout.
        TxnResponse response = await ctx.CallAsync(client, _ => client.KV.TxnAsync(request), DateTime.MaxValue).ConfigureAwait(false);
        ctx.Printer.Txn(response);
    }

    private static void Prompt(CommandContext ctx, bool interactive, string text)
    {
        if (interactive)
        {
            ctx.Out.WriteLine(text);
            ctx.Out.Flush();
        }
    }

    /// <summary>Parses "target("key") op "value"", e.g. mod("k") > "3" or value("k") = "v".</summary>
    public static Compare ParseCompare(string line)
    {
        int paren = line.IndexOf('(', StringComparison.Ordinal);
        if (paren < 0)
        {
            throw Invalid("malformed comparison: " + line);
        }

        string target = line[..paren];
        CompareScan scan = ScanCompare(line[(paren + 1)..]);
        if (scan.Count != 3)
        {
            throw Invalid("malformed comparison: " + line + "; got " + target + "(" + GoText.QuoteString(scan.Key) + ") "
                + scan.Op + " " + GoText.QuoteString(scan.Value));
        }

        var compare = new Compare { Key = KvRequests.Bytes(scan.Key), Result = ParseResult(scan.Op) };
        bool ok = true;
        switch (target)
        {
            case "ver" or "version":
                compare.Target = Compare.Types.CompareTarget.Version;
                ok = long.TryParse(scan.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long version);
                compare.Version = version;
                break;
            case "c" or "create":
                compare.Target = Compare.Types.CompareTarget.Create;
                ok = long.TryParse(scan.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long create);
                compare.CreateRevision = create;
                break;
            case "m" or "mod":
                compare.Target = Compare.Types.CompareTarget.Mod;
                ok = long.TryParse(scan.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long mod);
                compare.ModRevision = mod;
                break;
            case "val" or "value":
                compare.Target = Compare.Types.CompareTarget.Value;
                compare.Value = KvRequests.Bytes(scan.Value);
                break;
            case "lease":
                compare.Target = Compare.Types.CompareTarget.Lease;
                long? lease = KvRequests.ParseHexLease(scan.Value);
                ok = lease is not null;
                compare.Lease = lease ?? 0;
                break;
            default:
                throw Invalid("malformed comparison: " + line + " (unknown target " + target + ")");
        }

        return ok ? compare : throw Invalid("invalid txn compare request: " + line);
    }

    /// <summary>Parses a put/get/del line with the same flags the commands take.</summary>
    public static RequestOp ParseOperation(string line, Invocation invocation)
    {
        List<string> args = Argify(line);
        if (args.Count < 2)
        {
            throw Invalid("invalid txn compare request: " + line);
        }

        CommandSpec? command = OperationCommand(args[0]);
        if (command is null)
        {
            throw Invalid("invalid txn request: " + line);
        }

        var flags = new FlagValues(command.Flags);
        ParseResult parsed = ArgumentParser.Parse(args.GetRange(1, args.Count - 1), flags);
        if (parsed.Error is not null)
        {
            throw Invalid("invalid txn request: " + line);
        }

        return command.Name switch
        {
            "put" => new RequestOp { RequestPut = KvRequests.Put(parsed.Args, flags, invocation.OpenStdin) },
            "get" => new RequestOp { RequestRange = KvRequests.Range(parsed.Args, flags) },
            _ => new RequestOp { RequestDeleteRange = KvRequests.Delete(parsed.Args, flags) },
        };
    }

    /// <summary>
    /// Splits a line into words the way etcdctl does: "double quoted" (with Go escapes),
    /// 'single quoted', or bare words.
    /// </summary>
    public static List<string> Argify(string line)
    {
        var args = new List<string>();
        foreach (Match m in WordPattern().Matches(line))
        {
            args.Add(m.Value);
        }

        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.Length == 0)
            {
                continue;
            }

            if (a[0] == '\'')
            {
                // etcdctl cuts single-quoted words by the number of words, not the word's length;
                // kept for identical results.
                int end = args.Count - 1;
                args[i] = end >= 1 && end <= a.Length ? a[1..end] : throw Invalid("invalid txn request: " + line);
            }
            else if (a[0] == '"')
            {
                args[i] = GoUnquote.Scan(a)?.Value ?? throw Invalid("unexpected EOF");
            }
        }

        return args;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^'\"\\s]\\S*[^'\"\\s]?")]
    private static partial Regex WordPattern();

    private static CommandSpec? OperationCommand(string name)
    {
        CommandSpec group = new()
        {
            Name = "",
            Use = "",
            Short = "",
            Subcommands = [KvCommands.Put(), KvCommands.Get(), KvCommands.Del()],
        };
        return group.FindSubcommand(name);
    }

    private static Compare.Types.CompareResult ParseResult(string op) => op switch
    {
        "=" or "==" => Compare.Types.CompareResult.Equal,
        "!=" => Compare.Types.CompareResult.NotEqual,
        "<" => Compare.Types.CompareResult.Less,
        ">" => Compare.Types.CompareResult.Greater,
        _ => throw Invalid("Unknown result op"),
    };

    private readonly record struct CompareScan(int Count, string Key, string Op, string Value);

    // fmt.Sscanf(rest, "%q) %s %q"): a quoted key, ")", spaces, an operator word, spaces, a quoted value.
    private static CompareScan ScanCompare(string rest)
    {
        (string Value, int Length)? key = GoUnquote.Scan(rest);
        if (key is null)
        {
            return new CompareScan(0, "", "", "");
        }

        int i = key.Value.Length;
        if (i >= rest.Length || rest[i] != ')')
        {
            return new CompareScan(1, key.Value.Value, "", "");
        }

        i++;
        // A space in a Sscanf format needs at least one space in the input here.
        int afterParen = i;
        i = SkipSpaces(rest, i);
        if (i == afterParen)
        {
            return new CompareScan(1, key.Value.Value, "", "");
        }

        int opStart = i;
        while (i < rest.Length && !char.IsWhiteSpace(rest[i]))
        {
            i++;
        }

        if (i == opStart)
        {
            return new CompareScan(1, key.Value.Value, "", "");
        }

        string op = rest[opStart..i];
        i = SkipSpaces(rest, i);
        (string Value, int Length)? value = GoUnquote.Scan(rest[i..]);
        return value is null
            ? new CompareScan(2, key.Value.Value, op, "")
            : new CompareScan(3, key.Value.Value, op, value.Value.Value);
    }

    private static int SkipSpaces(string s, int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }

        return i;
    }

    private static CtlExitException Invalid(string message) => new(ExitCode.InvalidInput, message);

    /// <summary>Reads newline-terminated lines; input ending without a newline is an error ("EOF"), as in etcdctl.</summary>
    private sealed class LineReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, new UTF8Encoding(false));

        public List<string> ReadBlock()
        {
            var lines = new List<string>();
            while (true)
            {
                string line = ReadLineStrict().Trim();
                if (line.Length == 0)
                {
                    return lines;
                }

                lines.Add(line);
            }
        }

        public void Dispose() => _reader.Dispose();

        private string ReadLineStrict()
        {
            var sb = new StringBuilder();
            while (true)
            {
                int c = _reader.Read();
                if (c < 0)
                {
                    throw Invalid("EOF");
                }

                if (c == '\n')
                {
                    return sb.ToString();
                }

                sb.Append((char)c);
            }
        }
    }
}
