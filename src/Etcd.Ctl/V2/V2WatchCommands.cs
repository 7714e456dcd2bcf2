using System.Diagnostics;

namespace Etcd.Ctl.V2;

/// <summary>watch and exec-watch: long polls on the keys API (?wait=true&amp;waitIndex=n).</summary>
public static class V2WatchCommands
{
    public static V2Command Watch() => new()
    {
        Name = "watch",
        SyncsFirst = true,
        Usage = "watch a key for changes",
        ArgsUsage = "<key>",
        Flags =
        [
            V2Flag.Bool("forever, f", "forever watch a key until CTRL+C"),
            V2Flag.Int("after-index", "watch after the given index"),
            V2Flag.Bool("recursive, r", "returns all values for key and child keys"),
        ],
        Action = async c =>
        {
            string key = V2KeyCommands.KeyArg(c);
            bool recursive = c.Flags.GetBool("recursive");
            bool forever = c.Flags.GetBool("forever");
            var watcher = new Watcher(await c.ClientAsync().ConfigureAwait(false), key, (ulong)c.Flags.GetInt("after-index"), recursive);
            while (true)
            {
                V2Response resp = await watcher.NextAsync(c).ConfigureAwait(false);
                if (resp.Node?.Dir == true)
                {
                    continue;
                }

                if (recursive)
                {
                    c.Out.WriteLine("[" + resp.Action + "] " + resp.Node?.Key);
                }

                V2Print.Response(c, resp);
                c.Out.Flush();
                if (!forever)
                {
                    return 0;
                }
            }
        },
    };

    public static V2Command ExecWatch() => new()
    {
        Name = "exec-watch",
        SyncsFirst = true,
        Usage = "watch a key for changes and exec an executable",
        ArgsUsage = "<key> <command> [args...]",
        Flags =
        [
            V2Flag.Int("after-index", "watch after the given index"),
            V2Flag.Bool("recursive, r", "watch all values for key and child keys"),
        ],
        Action = async c =>
        {
            IReadOnlyList<string> args = c.Args;
            if (args.Count < 2)
            {
                throw c.Fail(V2ExitCode.BadArgs, "key and command to exec required");
            }

            bool separator = false;
            for (int i = 1; i < args.Count; i++)
            {
                separator |= args[i] == "--";
            }

            // As etcdctl: with "--" after the key the command follows it; otherwise the key is last.
            string key = separator ? args[0] : args[^1];
            List<string> command = separator ? [.. args.Skip(2)] : [.. args.Take(args.Count - 1)];
            var watcher = new Watcher(await c.ClientAsync().ConfigureAwait(false), key, (ulong)c.Flags.GetInt("after-index"), c.Flags.GetBool("recursive"));
            while (true)
            {
                V2Response resp = await watcher.NextAsync(c).ConfigureAwait(false);
                V2Node node = resp.Node ?? new V2Node();
                if (node.Dir)
                {
                    c.Err.WriteLine("Ignored dir " + node.Key + " change");
                    c.Err.Flush();
                    continue;
                }

                c.Out.Flush();
                var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
                for (int i = 1; i < command.Count; i++)
                {
                    start.ArgumentList.Add(command[i]);
                }

                start.Environment["ETCD_WATCH_ACTION"] = resp.Action;
                start.Environment["ETCD_WATCH_MODIFIED_INDEX"] = node.ModifiedIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
                start.Environment["ETCD_WATCH_KEY"] = node.Key;
                start.Environment["ETCD_WATCH_VALUE"] = node.Value;
                try
                {
                    using Process? process = Process.Start(start);
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    c.Err.Write("exec: " + Output.GoText.QuoteString(command[0]) + ": " + e.Message);
                    c.Err.Flush();
                    throw new V2ExitException(1);
                }
            }
        },
    };

    /// <summary>client.Watcher: each answer moves the wait index past the node's modified index.</summary>
    private sealed class Watcher(V2Client client, string key, ulong afterIndex, bool recursive)
    {
        private ulong _waitIndex = afterIndex == 0 ? 0 : afterIndex + 1;

        public async Task<V2Response> NextAsync(V2Context c)
        {
            var query = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["wait"] = "true" };
            if (_waitIndex != 0)
            {
                query["waitIndex"] = _waitIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (recursive)
            {
                query["recursive"] = "true";
            }

            try
            {
                V2Response resp = await client.KeysAsync(HttpMethod.Get, key, query, null, wait: true, CancellationToken.None).ConfigureAwait(false);
                _waitIndex = (resp.Node?.ModifiedIndex ?? 0) + 1;
                return resp;
            }
            catch (V2RequestException e)
            {
                throw c.Fail(V2ExitCode.ServerError, e);
            }
        }
    }
}
