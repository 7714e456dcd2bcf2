namespace Etcd.Ctl.V2;

/// <summary>The keys commands of etcdctl v2: get, ls, set, mk, mkdir, setdir, update, updatedir, rm, rmdir.</summary>
public static class V2KeyCommands
{
    private static readonly V2Flag Ttl = V2Flag.Int("ttl", "key time-to-live in seconds");
    private static readonly V2Flag Sort = V2Flag.Bool("sort", "returns result in sorted order");
    private static readonly V2Flag Quorum = V2Flag.Bool("quorum, q", "require quorum for get request");

    public static V2Command Get() => new()
    {
        Name = "get",
        SyncsFirst = true,
        Usage = "retrieve the value of a key",
        ArgsUsage = "<key>",
        Flags = [Sort, Quorum],
        Action = async c =>
        {
            string key = KeyArg(c);
            V2Client client = await c.ClientAsync().ConfigureAwait(false);
            V2Response resp = await Call(c, client, HttpMethod.Get, key, ReadQuery(c, recursive: false), null).ConfigureAwait(false);
            if (resp.Node?.Dir == true)
            {
                throw c.Exit(V2ExitCode.BadArgs, resp.Node.Key + ": is a directory");
            }

            V2Print.Response(c, resp);
            return 0;
        },
    };

    public static V2Command Ls() => new()
    {
        Name = "ls",
        SyncsFirst = true,
        Usage = "retrieve a directory",
        ArgsUsage = "[key]",
        Flags = [Sort, V2Flag.Bool("recursive, r", "returns all key names recursively for the given path"), V2Flag.Bool("p", "append slash (/) to directories"), Quorum],
        Action = async c =>
        {
            string key = c.Args.Count > 0 ? c.Args[0] : "/";
            V2Client client = await c.ClientAsync().ConfigureAwait(false);
            V2Response resp = await Call(c, client, HttpMethod.Get, key, ReadQuery(c, c.Flags.GetBool("recursive")), null).ConfigureAwait(false);
            if (c.Output != "simple")
            {
                V2Print.Response(c, resp);
                return 0;
            }

            V2Node node = resp.Node ?? new V2Node();
            if (!node.Dir)
            {
                c.Out.WriteLine(node.Key);
            }

            bool slash = c.Flags.GetBool("p");
            foreach (V2Node child in node.Nodes ?? [])
            {
                PrintTree(c, child, slash);
            }

            return 0;
        },
    };

    private static void PrintTree(V2Context c, V2Node node, bool slash)
    {
        c.Out.WriteLine(node.Dir && slash ? node.Key + "/" : node.Key);
        foreach (V2Node child in node.Nodes ?? [])
        {
            PrintTree(c, child, slash);
        }
    }

    public static V2Command Set() => new()
    {
        Name = "set",
        SyncsFirst = true,
        Usage = "set the value of a key",
        ArgsUsage = "<key> <value>",
        Description = "Set sets the value of a key.\n\n   When <value> begins with '-', <value> is interpreted as a flag.\n   Insert '--' for workaround:\n\n   $ set -- <key> <value>",
        Flags = [Ttl, V2Flag.String("swap-with-value", "previous value"), V2Flag.Int("swap-with-index", "previous index")],
        Action = async c =>
        {
            string key = KeyArg(c);
            string value = ValueArg(c);
            var form = ValueForm(value, c.Flags.GetInt("ttl"));
            var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
            string prevValue = c.Flags.GetString("swap-with-value");
            if (prevValue.Length > 0)
            {
                query["prevValue"] = prevValue;
            }

            long prevIndex = c.Flags.GetInt("swap-with-index");
            if (prevIndex != 0)
            {
                query["prevIndex"] = ((ulong)prevIndex).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            V2Client client = await c.ClientAsync().ConfigureAwait(false);
            V2Print.Response(c, await Call(c, client, HttpMethod.Put, key, query, form).ConfigureAwait(false));
            return 0;
        },
    };

    public static V2Command Mk() => new()
    {
        Name = "mk",
        SyncsFirst = true,
        Usage = "make a new key with a given value",
        ArgsUsage = "<key> <value>",
        Flags = [V2Flag.Bool("in-order", "create in-order key under directory <key>"), Ttl],
        Action = async c =>
        {
            string key = KeyArg(c);
            string value = ValueArg(c);
            var form = ValueForm(value, c.Flags.GetInt("ttl"));
            V2Client client = await c.ClientAsync().ConfigureAwait(false);
            V2Response resp = c.Flags.GetBool("in-order")
                ? await Call(c, client, HttpMethod.Post, key, Empty(), form).ConfigureAwait(false)
                : await Call(c, client, HttpMethod.Put, key, new SortedDictionary<string, string>(StringComparer.Ordinal) { ["prevExist"] = "false" }, form).ConfigureAwait(false);
            V2Print.Response(c, resp);
            return 0;
        },
    };

    public static V2Command Update() => new()
    {
        Name = "update",
        SyncsFirst = true,
        Usage = "update an existing key with a given value",
        ArgsUsage = "<key> <value>",
        Flags = [Ttl],
        Action = async c =>
        {
            string key = KeyArg(c);
            string value = ValueArg(c);
            V2Client client = await c.ClientAsync().ConfigureAwait(false);
            V2Print.Response(c, await Call(c, client, HttpMethod.Put, key, new SortedDictionary<string, string>(StringComparer.Ordinal) { ["prevExist"] = "true" }, ValueForm(value, c.Flags.GetInt("ttl"))).ConfigureAwait(false));
            return 0;
        },
    };

    public static V2Command Mkdir() => Dir("mkdir", "make a new directory", "<key>", "false");

    public static V2Command SetDir() => Dir("setdir", "create a new directory or update an existing directory TTL", "<key>", null);

    public static V2Command UpdateDir() => Dir("updatedir", "update an existing directory", "<key> <value>", "true");

    private static V2Command Dir(string name, string usage, string argsUsage, string? prevExist) => new()
    {
        Name = name,
        SyncsFirst = true,
        Usage = usage,
        ArgsUsage = argsUsage,
        Flags = [Ttl],
        Action = async c =>
        {
            string key = KeyArg(c);
            var query = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["dir"] = "true" };
            if (prevExist is not null)
            {
                query["prevExist"] = prevExist;
            }

            var form = new SortedDictionary<string, string>(StringComparer.Ordinal);
            long ttl = c.Flags.GetInt("ttl");
            if (ttl > 0)
            {
                form["ttl"] = ttl.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            V2Client client = await c.ClientAsync().ConfigureAwait(false);
            V2Response resp = await Call(c, client, HttpMethod.Put, key, query, form).ConfigureAwait(false);
            if (c.Output != "simple")
            {
                V2Print.Response(c, resp);
            }

            return 0;
        },
    };

    public static V2Command Rm() => new()
    {
        Name = "rm",
        SyncsFirst = true,
        Usage = "remove a key or a directory",
        ArgsUsage = "<key>",
        Flags =
        [
            V2Flag.Bool("dir", "removes the key if it is an empty directory or a key-value pair"),
            V2Flag.Bool("recursive, r", "removes the key and all child keys(if it is a directory)"),
            V2Flag.String("with-value", "previous value"),
            V2Flag.Int("with-index", "previous index"),
        ],
        Action = c => Delete(c, c.Flags.GetBool("dir"), c.Flags.GetBool("recursive"), c.Flags.GetString("with-value"), c.Flags.GetInt("with-index")),
    };

    public static V2Command RmDir() => new()
    {
        Name = "rmdir",
        SyncsFirst = true,
        Usage = "removes the key if it is an empty directory or a key-value pair",
        ArgsUsage = "<key>",
        Action = c => Delete(c, true, false, "", 0),
    };

    private static async Task<int> Delete(V2Context c, bool dir, bool recursive, string prevValue, long prevIndex)
    {
        string key = KeyArg(c);
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (prevValue.Length > 0)
        {
            query["prevValue"] = prevValue;
        }

        if (prevIndex != 0)
        {
            query["prevIndex"] = ((ulong)prevIndex).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (dir)
        {
            query["dir"] = "true";
        }

        if (recursive)
        {
            query["recursive"] = "true";
        }

        V2Client client = await c.ClientAsync().ConfigureAwait(false);
        V2Response resp = await Call(c, client, HttpMethod.Delete, key, query, null).ConfigureAwait(false);
        if (resp.Node?.Dir != true || c.Output != "simple")
        {
            V2Print.Response(c, resp);
        }

        return 0;
    }

    internal static string KeyArg(V2Context c) =>
        c.Args.Count > 0 ? c.Args[0] : throw c.Fail(V2ExitCode.BadArgs, "key required");

    // argOrStdin: the second argument, or all of stdin when it is not empty.
    private static string ValueArg(V2Context c)
    {
        if (c.Args.Count > 1)
        {
            return c.Args[1];
        }

        using Stream stdin = c.OpenStdin();
        using var reader = new StreamReader(stdin);
        string text = reader.ReadToEnd();
        return text.Length > 0 ? text : throw c.Fail(V2ExitCode.BadArgs, "value required");
    }

    private static SortedDictionary<string, string> ValueForm(string value, long ttl)
    {
        var form = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["value"] = value };
        if (ttl > 0)
        {
            form["ttl"] = ttl.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return form;
    }

    private static SortedDictionary<string, string> Empty() => new(StringComparer.Ordinal);

    private static SortedDictionary<string, string> ReadQuery(V2Context c, bool recursive) => new(StringComparer.Ordinal)
    {
        ["quorum"] = c.Flags.GetBool("quorum") ? "true" : "false",
        ["recursive"] = recursive ? "true" : "false",
        ["sorted"] = c.Flags.GetBool("sort") ? "true" : "false",
    };

    /// <summary>One keys call within --total-timeout; a failure ends the command with exit 4.</summary>
    internal static async Task<V2Response> Call(V2Context c, V2Client client, HttpMethod method, string key, SortedDictionary<string, string> query, SortedDictionary<string, string>? form)
    {
        using var cts = new CancellationTokenSource(c.TotalTimeout);
        try
        {
            return await client.KeysAsync(method, key, query, form, wait: false, cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            throw c.Fail(V2ExitCode.ServerError, e);
        }
    }
}
