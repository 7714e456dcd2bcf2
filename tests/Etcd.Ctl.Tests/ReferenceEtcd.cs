using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Etcd.Ctl.Tests;

/// <summary>
/// A single-member reference etcd (Debian's Go build at /usr/bin/etcd) on free loopback ports in a
/// temporary data directory. <see cref="RestartFreshAsync"/> wipes it and starts again on the same
/// ports, which gives the same cluster and member IDs and revisions for the same command sequence.
/// </summary>
public sealed class ReferenceEtcd : IAsyncDisposable
{
    public const string BinaryPath = "/usr/bin/etcd";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private readonly string _root;
    private readonly int _clientPort;
    private readonly int _peerPort;
    private readonly string[] _extraArgs;
    private Process? _process;

    private ReferenceEtcd(string root, int clientPort, int peerPort, string[] extraArgs)
    {
        _root = root;
        _clientPort = clientPort;
        _peerPort = peerPort;
        _extraArgs = extraArgs;
    }

    public static bool Available => File.Exists(BinaryPath) && File.Exists(OfficialCtl.BinaryPath);

    /// <summary>"127.0.0.1:port", the form etcdctl users pass to --endpoints.</summary>
    public string Endpoint => "127.0.0.1:" + _clientPort;

    /// <summary>Starts it; <paramref name="extraArgs"/> (--enable-v2, say) are added to every start.</summary>
    public static async Task<ReferenceEtcd> StartAsync(params string[] extraArgs)
    {
        string root = Path.Combine(Path.GetTempPath(), "etcdctl-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var etcd = new ReferenceEtcd(root, FreePort(), FreePort(), extraArgs);
        await etcd.StartProcessAsync().ConfigureAwait(false);
        return etcd;
    }

    public async Task RestartFreshAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Directory.Delete(DataDir, recursive: true);
        await StartProcessAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Directory.Delete(_root, recursive: true);
    }

    private string DataDir => Path.Combine(_root, "data");

    private async Task StartProcessAsync()
    {
        string peer = "http://127.0.0.1:" + _peerPort;
        string client = "http://" + Endpoint;
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--name", "default", "--data-dir", DataDir,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "default=" + peer, "--initial-cluster-token", "etcdctl-tests",
            .. _extraArgs,
        ];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        // Drain the logs so the server never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitHealthyAsync().ConfigureAwait(false);
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartDeadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException("reference etcd exited with code " + _process.ExitCode);
            }

            try
            {
                string body = await http.GetStringAsync("http://" + Endpoint + "/health").ConfigureAwait(false);
                if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException("reference etcd did not become healthy within " + StartDeadline);
    }

    private async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that needs the reference etcd and official etcdctl; skipped with the reason when they are missing.</summary>
public sealed class ReferenceEtcdFactAttribute : FactAttribute
{
    public ReferenceEtcdFactAttribute()
    {
        if (!ReferenceEtcd.Available)
        {
            Skip = "reference etcd/etcdctl not installed at " + ReferenceEtcd.BinaryPath + " and " + OfficialCtl.BinaryPath
                + " (install Debian's etcd-server and etcd-client)";
        }
    }
}
