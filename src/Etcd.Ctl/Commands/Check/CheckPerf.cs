using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Google.Protobuf;

namespace Etcd.Ctl.Commands.Check;

/// <summary>"check perf": puts at a fixed rate for a minute, then judges throughput and latency.</summary>
public static class CheckPerf
{
    /// <summary>Tests shorten the run (the official flags cannot); null is etcd's 60 s.</summary>
    internal static readonly AsyncLocal<TimeSpan?> DurationForTests = new();

    private static readonly ByteString Value = ByteString.CopyFrom(new byte[1024]);

    public static CommandSpec Create() => new()
    {
        Name = "perf",
        Use = "perf [options]",
        Short = "Check the performance of the etcd cluster",
        Flags = CheckCommand.Flags("performance", "/etcdctl-check-perf/"),
        Run = RunAsync,
    };

    /// <summary>etcd's load table: writes per second and clients; every profile runs 60 s.</summary>
    internal static (int Limit, int Clients) Profile(string model) => model switch
    {
        "s" => (150, 50),
        "m" => (1000, 200),
        "l" => (8000, 500),
        _ => (15000, 1000),
    };

    private static async Task RunAsync(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        string model = CheckCommand.Model(ctx.Flags.GetString("load"));
        (int limit, int clientCount) = Profile(model);
        TimeSpan duration = DurationForTests.Value ?? TimeSpan.FromSeconds(60);
        string prefix = ctx.Flags.GetString("prefix");

        EtcdClient[] clients = await CheckCleanup.ConnectAsync(ctx, clientCount).ConfigureAwait(false);
        try
        {
            await CheckCleanup.RequireEmptyPrefixAsync(ctx, clients[0], prefix, DateTime.UtcNow + duration).ConfigureAwait(false);
            int seconds = (int)Math.Ceiling(duration.TotalSeconds);
            await using var bar = new ProgressBar(ctx.Out, seconds, ProgressBar.TerminalWidth());
            bar.Start();
            _ = TickAsync(bar, seconds);
            ByteString prefixBytes = ByteString.CopyFromUtf8(prefix);
            LoadStats stats = await PutLoad.RunAsync(clients, q => ProduceAsync(q, prefixBytes, limit, duration)).ConfigureAwait(false);
            await CheckCleanup.CleanUpAsync(ctx, clients[0], prefix, DateTime.UtcNow.AddSeconds(30), bar.WriteLine).ConfigureAwait(false);
            if (!Verdict(stats, limit, bar.WriteLine))
            {
                throw new CtlExitException(ExitCode.Error, null);
            }
        }
        finally
        {
            foreach (EtcdClient c in clients)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>The verdict lines as etcdctl prints them; true when every check passed.</summary>
    internal static bool Verdict(LoadStats s, int limit, Action<string> print)
    {
        bool ok = true;
        if (s.Errors.Count != 0)
        {
            print("FAIL: too many errors");
            foreach ((string text, int n) in s.Errors)
            {
                print("FAIL: ERROR(" + text + ") -> " + n.ToString(CultureInfo.InvariantCulture));
            }

            ok = false;
        }

        string writes = ((long)s.Rps + 1).ToString(CultureInfo.InvariantCulture);
        if (s.Rps / limit <= 0.9)
        {
            print("FAIL: Throughput too low: " + writes + " writes/s");
            ok = false;
        }
        else
        {
            print("PASS: Throughput is " + writes + " writes/s");
        }

        if (s.Slowest > 0.5)
        {
            print("Slowest request took too long: " + Seconds(s.Slowest));
            ok = false;
        }
        else
        {
            print("PASS: Slowest request took " + Seconds(s.Slowest));
        }

        if (s.Stddev > 0.1)
        {
            print("Stddev too high: " + Seconds(s.Stddev));
            ok = false;
        }
        else
        {
            print("PASS: Stddev is " + Seconds(s.Stddev));
        }

        print(ok ? "PASS" : "FAIL");
        return ok;
    }

    private static string Seconds(double value) => value.ToString("F6", CultureInfo.InvariantCulture) + "s";

    // The bar counts seconds, as etcdctl's does, independently of the load.
    private static async Task TickAsync(ProgressBar bar, int seconds)
    {
        for (int i = 0; i < seconds; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            bar.Add(1);
        }

        bar.Finish();
    }

    // A token bucket of depth 1 (golang.org/x/time/rate with burst 1): one put per 1/limit s and no
    // catching up after a stall, except within a 2 ms slack that absorbs timer resolution.
    private static async Task ProduceAsync(ChannelWriter<PutRequest> queue, ByteString prefix, int limit, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        double interval = 1.0 / limit;
        const double slack = 0.002;
        double next = 0;
        byte[] buffer = new byte[256];
        while (true)
        {
            double now = clock.Elapsed.TotalSeconds;
            next = Math.Max(next, now - slack);
            if (next > duration.TotalSeconds)
            {
                return;
            }

            double wait = next - now;
            if (wait > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait)).ConfigureAwait(false);
            }

            next += interval;
            await queue.WriteAsync(new PutRequest { Key = PutLoad.NextKey(prefix, buffer), Value = Value }).ConfigureAwait(false);
        }
    }
}
