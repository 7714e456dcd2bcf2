using System.Diagnostics;
using System.Text;

namespace Etcd.Ctl.Tests;

/// <summary>lock and elect must interoperate with the official etcdctl: same keys, same queueing.</summary>
public sealed class LockElectTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [ReferenceEtcdFact]
    public async Task OurLockWaitsForTheOfficialHolder()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        using RunningCtl official = RunningCtl.Start(OfficialStart(etcd.Endpoint, ["lock", "shared"]));
        string held = await official.WaitForOutput(text => text.Contains('\n'));
        Assert.StartsWith("shared/", held, StringComparison.Ordinal);

        using RunningCtl ours = RunningCtl.Start(OurCtl.ProcessStart(etcd.Endpoint, ["lock", "shared", "--", "echo", "acquired"]));
        // Our waiter must have queued behind the holder: its key exists with a later create revision.
        await WaitUntil(async () => (await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "shared/", "--prefix", "-w", "fields"])).StdoutText.Contains("\"Count\" : 2", StringComparison.Ordinal));
        Assert.Equal("", ours.Output);

        official.Terminate();
        Assert.Equal("acquired\n", await ours.WaitForOutput(text => text.Contains('\n')));
        Assert.Equal(0, await ours.WaitForExit());
    }

    [ReferenceEtcdFact]
    public async Task OfficialObserverSeesOurLeader()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        using RunningCtl ours = RunningCtl.Start(OurCtl.ProcessStart(etcd.Endpoint, ["elect", "vote", "proposal-1"]));
        string leader = await ours.WaitForOutput(text => text.Split('\n').Length > 2);
        using RunningCtl observer = RunningCtl.Start(OfficialStart(etcd.Endpoint, ["elect", "-l", "vote"]));
        Assert.Equal(leader, await observer.WaitForOutput(text => text.Split('\n').Length > 2));

        ours.Terminate();
        Assert.Equal(0, await ours.WaitForExit());
        // Resigning deletes the candidate key.
        CtlResult left = await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "vote/", "--prefix"]);
        Assert.Equal("", left.StdoutText);
    }

    private static ProcessStartInfo OfficialStart(string endpoint, string[] args)
    {
        var start = new ProcessStartInfo(OfficialCtl.BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        OfficialCtl.ClearCtlEnvironment(start.Environment);
        start.Environment["ETCDCTL_ENDPOINTS"] = endpoint;
        return start;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Deadline, "condition not met within " + Deadline);
            await Task.Delay(20);
        }
    }

    /// <summary>A long-running etcdctl whose stdout is collected; stopped with SIGTERM like a user would.</summary>
    private sealed class RunningCtl : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();

        private RunningCtl(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(_output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static RunningCtl Start(ProcessStartInfo start)
            => new(Process.Start(start) ?? throw new InvalidOperationException("etcdctl did not start"));

        public async Task<string> WaitForOutput(Func<string, bool> complete)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                string text = Output;
                if (complete(text))
                {
                    return text;
                }

                Assert.True(clock.Elapsed < Deadline && !_process.HasExited, "no expected output; got: " + text + "\nstderr: " + _error);
                await Task.Delay(20);
            }
        }

        public void Terminate()
        {
            using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task<int> WaitForExit()
        {
            using var timeout = new CancellationTokenSource(Deadline);
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private static void Append(StringBuilder sink, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (sink)
            {
                sink.Append(line).Append('\n');
            }
        }
    }
}
