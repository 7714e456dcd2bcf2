using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Google.Protobuf;

namespace Etcd.Ctl.Commands.Check;

/// <summary>"check datascale": puts a fixed number of keys and reports how much the member's resident memory grew.</summary>
public static class CheckDatascale
{
    private const string ResidentMemoryKey = "process_resident_memory_bytes";
    private static readonly ByteString Value = ByteString.CopyFrom(new byte[512]);

    public static CommandSpec Create() => new()
    {
        Name = "datascale",
        Use = "datascale [options]",
        Short = "Check the memory usage of holding data for different workloads on a given server endpoint.",
        Long = "If no endpoint is provided, localhost will be used. If multiple endpoints are provided, first endpoint will be used.",
        Flags = CheckCommand.Flags("datascale", "/etcdctl-check-datascale/"),
        Run = RunAsync,
    };

    /// <summary>etcd's table: keys to put (of 1024 bytes each with the key) and clients.</summary>
    internal static (int Limit, int Clients) Profile(string model) => model switch
    {
        "s" => (10000, 50),
        "m" => (100000, 200),
        "l" => (1000000, 500),
        _ => (3000000, 1000),
    };

    private static async Task RunAsync(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        string model = CheckCommand.Model(ctx.Flags.GetString("load"));
        (int limit, int clientCount) = Profile(model);
        string prefix = ctx.Flags.GetString("prefix");
        EtcdClient[] clients = await CheckCleanup.ConnectAsync(ctx, clientCount).ConfigureAwait(false);
        try
        {
            string endpoint = ctx.Endpoints()[0];
            await CheckCleanup.RequireEmptyPrefixAsync(ctx, clients[0], prefix, null).ConfigureAwait(false);
            double before = await ResidentMemoryAsync(ctx, endpoint).ConfigureAwait(false);
            if (before == 0)
            {
                ctx.Out.WriteLine("FAIL: Could not read process_resident_memory_bytes before the put operations.");
                throw new CtlExitException(ExitCode.Error, null);
            }

            ctx.Out.WriteLine("Start data scale check for work load [" + limit.ToString(CultureInfo.InvariantCulture)
                + " key-value pairs, 1024 bytes per key-value, " + clientCount.ToString(CultureInfo.InvariantCulture) + " concurrent clients].");
            LoadStats stats;
            await using (var bar = new ProgressBar(ctx.Out, limit, ProgressBar.TerminalWidth()))
            {
                bar.Start();
                ByteString prefixBytes = ByteString.CopyFromUtf8(prefix);
                stats = await PutLoad.RunAsync(clients, async q =>
                {
                    byte[] buffer = new byte[512];
                    for (int i = 0; i < limit; i++)
                    {
                        await q.WriteAsync(new Api.Etcdserverpb.PutRequest { Key = PutLoad.NextKey(prefixBytes, buffer), Value = Value }).ConfigureAwait(false);
                    }
                }, () => bar.Add(1)).ConfigureAwait(false);
                bar.Finish();
            }

            double after = await ResidentMemoryAsync(ctx, endpoint).ConfigureAwait(false);
            if (after == 0)
            {
                ctx.Out.WriteLine("FAIL: Could not read process_resident_memory_bytes after the put operations.");
                throw new CtlExitException(ExitCode.Error, null);
            }

            await CheckCleanup.CleanUpAsync(ctx, clients[0], prefix, null, ctx.Out.WriteLine).ConfigureAwait(false);
            if (stats.Errors.Count != 0)
            {
                ctx.Out.WriteLine("FAIL: too many errors");
                foreach ((string text, int n) in stats.Errors)
                {
                    ctx.Out.WriteLine("FAIL: ERROR(" + text + ") -> " + n.ToString(CultureInfo.InvariantCulture));
                }

                throw new CtlExitException(ExitCode.Error, null);
            }

            double mb = (after - before) / (1024 * 1024);
            ctx.Out.WriteLine("PASS: Approximate system memory used : " + mb.ToString("F2", CultureInfo.InvariantCulture) + " MB.");
        }
        finally
        {
            foreach (EtcdClient c in clients)
            {
                c.Dispose();
            }
        }
    }

    // The member's /metrics on the client URL; a failure prints why and counts as 0, as in etcdctl.
    private static async Task<double> ResidentMemoryAsync(CommandContext ctx, string host)
    {
        if (!host.StartsWith("http://", StringComparison.Ordinal) && !host.StartsWith("https://", StringComparison.Ordinal))
        {
            host = "http://" + host;
        }

        string url = host + "/metrics";
        using var handler = new HttpClientHandler();
        if (host.StartsWith("https://", StringComparison.Ordinal))
        {
            try
            {
                handler.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(ctx.Flags.GetString("cert"), ctx.Flags.GetString("key")));
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                ctx.Out.WriteLine("client certificate error: " + e.Message);
                return 0;
            }

            if (ctx.Flags.GetBool("insecure-skip-tls-verify"))
            {
                handler.ServerCertificateCustomValidationCallback = static (_, _, _, _) => true;
            }
        }

        string body;
        try
        {
            using var http = new HttpClient(handler);
            body = await http.GetStringAsync(url).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            string reason = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                ? "dial tcp " + new Uri(url).Authority + ": connect: connection refused"
                : e.Message;
            ctx.Out.WriteLine("fetch error: Get " + GoText.QuoteString(url) + ": " + reason);
            return 0;
        }

        foreach (string line in body.Split('\n'))
        {
            if (line.StartsWith(ResidentMemoryKey, StringComparison.Ordinal))
            {
                string value = line[ResidentMemoryKey.Length..].Trim();
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double bytes))
                {
                    return bytes;
                }

                ctx.Out.WriteLine("parse error: strconv.ParseFloat: parsing " + GoText.QuoteString(value) + ": invalid syntax");
                return 0;
            }
        }

        ctx.Out.WriteLine("could not find: " + ResidentMemoryKey);
        return 0;
    }
}
