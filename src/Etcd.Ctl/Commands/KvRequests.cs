using System.Text;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Google.Protobuf;

namespace Etcd.Ctl.Commands;

/// <summary>
/// Builds put/get/del requests from arguments and flags. Shared by the commands and by txn, whose
/// lines use the same syntax; validation failures end the process just as etcdctl's do.
/// </summary>
public static class KvRequests
{
    public static readonly FlagSpec[] GetFlags =
    [
        FlagSpec.String("consistency", "l", "Linearizable(l) or Serializable(s)"),
        FlagSpec.String("order", "", "Order of results; ASCEND or DESCEND (ASCEND by default)"),
        FlagSpec.String("sort-by", "", "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION"),
        FlagSpec.Int64("limit", 0, "Maximum number of results"),
        FlagSpec.Bool("prefix", "Get keys with matching prefix"),
        FlagSpec.Bool("from-key", "Get keys that are greater than or equal to the given key using byte compare"),
        FlagSpec.Int64("rev", 0, "Specify the kv revision"),
        FlagSpec.Bool("keys-only", "Get only the keys"),
        FlagSpec.Bool("count-only", "Get only the count"),
        FlagSpec.Bool("print-value-only", "Only write values when using the \"simple\" output format"),
    ];

    public static readonly FlagSpec[] PutFlags =
    [
        FlagSpec.String("lease", "0", "lease ID (in hexadecimal) to attach to the key"),
        FlagSpec.Bool("prev-kv", "return the previous key-value pair before modification"),
        FlagSpec.Bool("ignore-value", "updates the key using its current value"),
        FlagSpec.Bool("ignore-lease", "updates the key using its current lease"),
    ];

    public static readonly FlagSpec[] DelFlags =
    [
        FlagSpec.Bool("prefix", "delete keys with matching prefix"),
        FlagSpec.Bool("prev-kv", "return deleted key-value pairs"),
        FlagSpec.Bool("from-key", "delete keys that are greater than or equal to the given key using byte compare"),
    ];

    public static RangeRequest Range(IReadOnlyList<string> args, FlagValues flags)
    {
        if (args.Count == 0)
        {
            throw BadArgs("get command needs one argument as key and an optional argument as range_end");
        }

        bool prefix = flags.GetBool("prefix");
        bool fromKey = flags.GetBool("from-key");
        bool keysOnly = flags.GetBool("keys-only");
        bool countOnly = flags.GetBool("count-only");
        if (prefix && fromKey)
        {
            throw BadArgs("`--prefix` and `--from-key` cannot be set at the same time, choose one");
        }

        if (keysOnly && countOnly)
        {
            throw BadArgs("`--keys-only` and `--count-only` cannot be set at the same time, choose one");
        }

        var request = new RangeRequest();
        string consistency = flags.GetString("consistency");
        switch (consistency)
        {
            case "s": request.Serializable = true; break;
            case "l": break;
            default: throw new CtlExitException(ExitCode.BadFeature, "unknown consistency flag " + Output.GoText.QuoteString(consistency));
        }

        string key = args[0];
        if (args.Count > 1)
        {
            if (prefix || fromKey)
            {
                throw BadArgs("too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
            }

            request.RangeEnd = Bytes(args[1]);
        }

        request.Limit = flags.GetInt64("limit");
        long rev = flags.GetInt64("rev");
        if (rev > 0)
        {
            request.Revision = rev;
        }

        string order = flags.GetString("order");
        RangeRequest.Types.SortOrder sortOrder = order.ToUpperInvariant() switch
        {
            "ASCEND" => RangeRequest.Types.SortOrder.Ascend,
            "DESCEND" => RangeRequest.Types.SortOrder.Descend,
            "" => RangeRequest.Types.SortOrder.None,
            _ => throw new CtlExitException(ExitCode.BadFeature, "bad sort order " + order),
        };
        string target = flags.GetString("sort-by");
        RangeRequest.Types.SortTarget sortTarget = target.ToUpperInvariant() switch
        {
            "CREATE" => RangeRequest.Types.SortTarget.Create,
            "KEY" or "" => RangeRequest.Types.SortTarget.Key,
            "MODIFY" => RangeRequest.Types.SortTarget.Mod,
            "VALUE" => RangeRequest.Types.SortTarget.Value,
            "VERSION" => RangeRequest.Types.SortTarget.Version,
            _ => throw new CtlExitException(ExitCode.BadFeature, "bad sort target " + target),
        };

        // Keys come back in ascending key order anyway; asking the server to sort would make it
        // read the whole range first (the Go client drops the order for the same reason).
        if (sortTarget == RangeRequest.Types.SortTarget.Key && sortOrder == RangeRequest.Types.SortOrder.Ascend)
        {
            sortOrder = RangeRequest.Types.SortOrder.None;
        }

        request.SortOrder = sortOrder;
        request.SortTarget = sortTarget;
        ApplyPrefixOrFromKey(ref key, prefix, fromKey, end => request.RangeEnd = end);
        request.Key = Bytes(key);
        request.KeysOnly = keysOnly;
        request.CountOnly = countOnly;
        return request;
    }

    public static PutRequest Put(IReadOnlyList<string> args, FlagValues flags, Func<Stream> openStdin)
    {
        const string usage = "put command needs 1 argument and input from stdin or 2 arguments";
        if (args.Count == 0)
        {
            throw BadArgs(usage);
        }

        bool ignoreValue = flags.GetBool("ignore-value");
        if (ignoreValue && args.Count > 1)
        {
            throw BadArgs("put command needs only 1 argument when 'ignore-value' is set");
        }

        ByteString value = ByteString.Empty;
        if (!ignoreValue)
        {
            value = args.Count > 1 ? Bytes(args[1]) : ReadAll(openStdin) ?? throw BadArgs(usage);
        }

        string leaseText = flags.GetString("lease");
        long lease = ParseHexLease(leaseText)
            ?? throw BadArgs("bad lease ID (strconv.ParseInt: parsing " + Output.GoText.QuoteString(leaseText) + ": invalid syntax), expecting ID in Hex");
        return new PutRequest
        {
            Key = Bytes(args[0]),
            Value = value,
            Lease = lease,
            PrevKv = flags.GetBool("prev-kv"),
            IgnoreValue = ignoreValue,
            IgnoreLease = flags.GetBool("ignore-lease"),
        };
    }

    public static DeleteRangeRequest Delete(IReadOnlyList<string> args, FlagValues flags)
    {
        if (args.Count == 0 || args.Count > 2)
        {
            throw BadArgs("del command needs one argument as key and an optional argument as range_end");
        }

        bool prefix = flags.GetBool("prefix");
        bool fromKey = flags.GetBool("from-key");
        if (prefix && fromKey)
        {
            throw BadArgs("`--prefix` and `--from-key` cannot be set at the same time, choose one");
        }

        var request = new DeleteRangeRequest();
        string key = args[0];
        if (args.Count > 1)
        {
            if (prefix || fromKey)
            {
                throw BadArgs("too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
            }

            request.RangeEnd = Bytes(args[1]);
        }

        ApplyPrefixOrFromKey(ref key, prefix, fromKey, end => request.RangeEnd = end);
        request.Key = Bytes(key);
        request.PrevKv = flags.GetBool("prev-kv");
        return request;
    }

    /// <summary>Go strings are bytes; command-line text becomes UTF-8.</summary>
    public static ByteString Bytes(string s) => ByteString.CopyFrom(Encoding.UTF8.GetBytes(s));

    /// <summary>A lease ID in hexadecimal, as etcdctl takes it (strconv.ParseInt base 16).</summary>
    public static long? ParseHexLease(string text)
    {
        bool negative = text.StartsWith('-');
        string digits = negative || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length == 0 || !ulong.TryParse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out ulong magnitude))
        {
            return null;
        }

        if (negative)
        {
            return magnitude <= 9223372036854775808UL ? (long)(0 - magnitude) : null;
        }

        return magnitude <= long.MaxValue ? (long)magnitude : null;
    }

    private static void ApplyPrefixOrFromKey(ref string key, bool prefix, bool fromKey, Action<ByteString> setEnd)
    {
        if (prefix)
        {
            if (key.Length == 0)
            {
                key = "\0";
                setEnd(KeyRange.FromKeyEnd);
            }
            else
            {
                setEnd(KeyRange.PrefixEnd(Bytes(key)));
            }
        }

        if (fromKey)
        {
            if (key.Length == 0)
            {
                key = "\0";
            }

            setEnd(KeyRange.FromKeyEnd);
        }
    }

    private static ByteString? ReadAll(Func<Stream> openStdin)
    {
        using Stream stdin = openStdin();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.Length == 0 ? null : ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static CtlExitException BadArgs(string message) => new(ExitCode.BadArgs, message);
}
