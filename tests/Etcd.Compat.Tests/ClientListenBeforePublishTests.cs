using System.Diagnostics;
using System.Net.Sockets;

namespace Etcd.Compat.Tests;

/// <summary>
/// etcd binds its client URLs before it publishes itself, and etcd's e2e suite (like scripts)
/// takes "published local member to cluster through raft" as the sign that the member can be
/// reached: a connection made the moment that line appears must find the port listening.
/// </summary>
public sealed class ClientListenBeforePublishTests
{
    [Fact]
    public async Task TheClientPortListensWhenPublishedIsLogged()
    {
        var dataDir = Directory.CreateTempSubdirectory("etcd-publish-").FullName;
        var client = FreePort.Next();
        var peer = FreePort.Next();
        var connected = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(Binaries.OurEtcd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
        {
            "--data-dir", dataDir,
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"default=http://127.0.0.1:{peer}",
        })
        {
            info.ArgumentList.Add(arg);
        }
        using var server = Process.Start(info)!;
        void OnLine(string? line)
        {
            if (line is null || !line.Contains("published local member to cluster through raft", StringComparison.Ordinal)) return;
            // Synchronously, before the server can log another line.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect("127.0.0.1", client);
                connected.TrySetResult(true);
            }
            catch (SocketException)
            {
                connected.TrySetResult(false);
            }
        }
        server.OutputDataReceived += (_, e) => OnLine(e.Data);
        server.ErrorDataReceived += (_, e) => OnLine(e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            Assert.True(await connected.Task.WaitAsync(TimeSpan.FromSeconds(30)), "the client port refused a connection when \"published\" was logged");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
