using System.Diagnostics;
using System.Text;

namespace Etcd.Ctl.Tests;

/// <summary>
/// watch runs until it is stopped, so both etcdctls run as processes: each replays the same history
/// (--rev 1) and is stopped once the expected number of lines arrived.
/// </summary>
public sealed class WatchTests
{
    private static readonly TimeSpan OutputDeadline = TimeSpan.FromSeconds(20);

    [ReferenceEtcdFact]
    public async Task ReplayedEventsPrintLikeEtcdctl()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        foreach (string[] args in new[]
        {
            new[] { "put", "w/1", "one" }, ["put", "w/2", "two"], ["put", "w/1", "uno"], ["del", "w/2"], ["put", "other", "x"],
        })
        {
            Assert.Equal(0, (await OfficialCtl.RunAsync(etcd.Endpoint, args)).ExitCode);
        }

        // simple: 4 events of 3 lines each (type, key, value) plus prev-kv lines for 2 of them.
        await AssertSameWatch(etcd.Endpoint, ["watch", "w/", "--prefix", "--rev", "1"], expectedLines: 12);
        await AssertSameWatch(etcd.Endpoint, ["watch", "w/", "--prefix", "--rev", "1", "--prev-kv"], expectedLines: 16);
        // One event each, so the split into responses cannot vary.
        await AssertSameWatch(etcd.Endpoint, ["watch", "w/1", "--rev", "4", "-w", "json"], expectedLines: 1);
        await AssertSameWatch(etcd.Endpoint, ["watch", "w/1", "w/3", "--rev", "5", "-w", "fields"], expectedLines: 11);
    }

    private static async Task AssertSameWatch(string endpoint, string[] args, int expectedLines)
    {
        var officialStart = new ProcessStartInfo(OfficialCtl.BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            officialStart.ArgumentList.Add(arg);
        }

        OfficialCtl.ClearCtlEnvironment(officialStart.Environment);
        officialStart.Environment["ETCDCTL_ENDPOINTS"] = endpoint;
        string official = await RunUntilLines(officialStart, expectedLines);
        string ours = await RunUntilLines(OurCtl.ProcessStart(endpoint, args), expectedLines);
        Assert.Equal(official, ours);
    }

    // Reads stdout until it holds the expected number of lines (polling with a deadline), then stops the process.
    private static async Task<string> RunUntilLines(ProcessStartInfo start, int expectedLines)
    {
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("watch did not start");
        var output = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Append(e.Data).Append('\n');
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.Append(e.Data).Append('\n');
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                lock (output)
                {
                    if (output.ToString().Count(c => c == '\n') >= expectedLines)
                    {
                        return output.ToString();
                    }
                }

                if (clock.Elapsed > OutputDeadline || process.HasExited)
                {
                    lock (output)
                    {
                        Assert.Fail("watch produced too little output: " + string.Join(' ', start.ArgumentList) + "\n" + output + "\nstderr:\n" + stderr);
                    }
                }

                await Task.Delay(20);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }
}
