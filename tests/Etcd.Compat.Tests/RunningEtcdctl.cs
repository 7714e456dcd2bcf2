using System.Diagnostics;
using System.Text;

namespace Etcd.Compat.Tests;

/// <summary>
/// An etcdctl command that keeps running (watch, lock, elect): its output is collected as it
/// comes, the test can write to its standard input and wait for output, and disposing kills it.
/// </summary>
public sealed class RunningEtcdctl : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private RunningEtcdctl(Process process) => _process = process;

    public static RunningEtcdctl Start(string endpoint, params string[] args)
    {
        var info = new ProcessStartInfo(Binaries.OfficialEtcdctl)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ETCDCTL_API"] = "3";
        foreach (var arg in (string[])["--endpoints", endpoint, .. args]) info.ArgumentList.Add(arg);
        var running = new RunningEtcdctl(Process.Start(info)!);
        running._process.OutputDataReceived += (_, e) => running.Append(running._stdout, e.Data);
        running._process.ErrorDataReceived += (_, e) => running.Append(running._stderr, e.Data);
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    public string Stdout
    {
        get
        {
            lock (_stdout) return _stdout.ToString();
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stdout) return _stderr.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    private void Append(StringBuilder target, string? line)
    {
        if (line is null) return;
        lock (_stdout) target.Append(line).Append('\n');
    }

    public Task WriteLineAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    /// <summary>Polls the output until <paramref name="done"/> holds, failing after a deadline.</summary>
    public async Task WaitForAsync(Func<string, bool> done)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!done(Stdout))
        {
            if (stopwatch.Elapsed > Deadline) throw new TimeoutException($"etcdctl did not print what was expected:\n{Stdout}\n--- stderr\n{Stderr}");
            await Task.Delay(20);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
