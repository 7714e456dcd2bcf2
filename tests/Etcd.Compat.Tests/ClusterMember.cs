using System.Diagnostics;
using System.Text;

namespace Etcd.Compat.Tests;

/// <summary>
/// One member of a multi-member test cluster (ours or the reference), run as a real process on
/// loopback ports with its own data dir. It can be killed and started again on the same data dir.
/// </summary>
public sealed class ClusterMember : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClusterMember(string binary, string name, string dataDir)
    {
        Binary = binary;
        Name = name;
        DataDir = dataDir;
        ClientPort = FreePort.Next();
        PeerPort = FreePort.Next();
    }

    public string Binary { get; }
    public string Name { get; }
    public string DataDir { get; }
    public int ClientPort { get; }
    public int PeerPort { get; }
    public string ClientUrl => $"{ClientScheme}://127.0.0.1:{ClientPort}";
    public string PeerUrl => $"{PeerScheme}://127.0.0.1:{PeerPort}";

    /// <summary>"http", or "https" for a member started with client TLS.</summary>
    public string ClientScheme { get; init; } = "http";

    /// <summary>"http", or "https" for a member started with peer TLS.</summary>
    public string PeerScheme { get; init; } = "http";

    /// <summary>The peer URL the others are told to use: <see cref="PeerUrl"/>, or a proxy in front of it.</summary>
    public string AdvertisedPeerUrl { get; set; } = "";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The running process's id, 0 when none runs.</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : 0;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Starts the process; <see cref="WaitReadyAsync"/> waits until it serves clients.</summary>
    public void Start(string initialCluster, string state, string token, IEnumerable<string> extraArgs)
    {
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--name", Name, "--data-dir", DataDir, "--logger", "zap",
            "--listen-client-urls", ClientUrl, "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", PeerUrl, "--initial-advertise-peer-urls", AdvertisedPeerUrl.Length > 0 ? AdvertisedPeerUrl : PeerUrl,
            "--initial-cluster", initialCluster, "--initial-cluster-state", state, "--initial-cluster-token", token,
        })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in extraArgs) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        _process = process;
        var ready = _ready;
        process.OutputDataReceived += (_, e) => OnLine(e.Data, ready);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{Name} ({Binary}) exited with {process.ExitCode}:\n{Log}"));
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} ({Binary}) did not become ready in {timeout.TotalSeconds} s:\n{Log}");
        }
    }

    /// <summary>Waits until the process exits by itself (a removed member stops).</summary>
    public async Task<bool> WaitExitAsync(TimeSpan timeout)
    {
        if (_process is null) return true;
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void OnLine(string? line, TaskCompletionSource ready)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        // Both etcd 3.4 and ours log this once the member has published itself and serves clients.
        if (line.Contains("serving client traffic", StringComparison.Ordinal)) ready.TrySetResult();
    }

    /// <summary>SIGKILL, as a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }
}
