using System.Diagnostics;
using System.Text;

namespace Etcd.Compat.Tests;

/// <summary>
/// One etcd member (ours or the reference) on random loopback ports in a temporary data dir,
/// started as a real process; disposing kills it and deletes the dir.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process _process = null!;

    private EtcdProcess(string binary, string dataDir, int clientPort, int peerPort, bool ownsDataDir)
    {
        Binary = binary;
        DataDir = dataDir;
        ClientPort = clientPort;
        PeerPort = peerPort;
        OwnsDataDir = ownsDataDir;
    }

    public string Binary { get; }
    public string DataDir { get; }
    public int ClientPort { get; }
    public int PeerPort { get; }
    private bool OwnsDataDir { get; }
    public string Endpoint => $"http://127.0.0.1:{ClientPort}";
    public int ProcessId => _process.Id;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Starts a member and waits until it says it serves clients (or fails the test after a deadline).</summary>
    /// <summary>
    /// Starts reference etcd and ours side by side. If either fails to start, the other is
    /// stopped before the failure is rethrown: a fixture whose start fails is never disposed.
    /// </summary>
    public static async Task<(EtcdProcess Reference, EtcdProcess Ours)> StartBothAsync(IEnumerable<string>? extraArgs = null)
    {
        var reference = StartAsync(Binaries.ReferenceEtcd, extraArgs: extraArgs);
        var ours = StartAsync(Binaries.OurEtcd, extraArgs: extraArgs);
        try
        {
            await Task.WhenAll(reference, ours);
        }
        catch
        {
            foreach (var started in new[] { reference, ours })
            {
                if (started.IsCompletedSuccessfully) await started.Result.DisposeAsync();
            }
            throw;
        }
        return (reference.Result, ours.Result);
    }

    public static async Task<EtcdProcess> StartAsync(string binary, string? dataDir = null, int? clientPort = null, int? peerPort = null,
        IEnumerable<string>? extraArgs = null, IDictionary<string, string>? environment = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("etcd-test-").FullName;
        var member = new EtcdProcess(binary, dataDir, clientPort ?? FreePort.Next(), peerPort ?? FreePort.Next(), ownsDataDir);
        await member.LaunchAsync(extraArgs ?? [], environment);
        return member;
    }

    private async Task LaunchAsync(IEnumerable<string> extraArgs, IDictionary<string, string>? environment)
    {
        var client = $"http://127.0.0.1:{ClientPort}";
        var peer = $"http://127.0.0.1:{PeerPort}";
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "default", "--data-dir", DataDir, "--logger", "zap",
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"default={peer}",
        })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in extraArgs) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{Binary} exited with {_process.ExitCode}:\n{Log}"));
        try
        {
            await _ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Binary} did not become ready in 30 s:\n{Log}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        // etcd 3.4 (zap) and ours both log this once the member serves clients.
        if (line.Contains("serving client traffic", StringComparison.Ordinal)) _ready.TrySetResult();
    }

    /// <summary>Ends the process the hard way, as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (OwnsDataDir)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
