using System.Diagnostics;
using System.Text;

namespace Etcd.Ctl.Tests;

/// <summary>A long-running etcdctl whose stdout is collected; stopped with SIGTERM like a user would.</summary>
public sealed class RunningCtl : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
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

    public static ProcessStartInfo OfficialStart(string endpoint, string[] args)
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

    public static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Deadline, "condition not met within " + Deadline);
            await Task.Delay(20);
        }
    }
}
