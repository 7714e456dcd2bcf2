using System.Diagnostics;
using System.Text;

namespace Etcd.Compat.Tests;

/// <summary>
/// `etcd gateway start` (etcd's TCP proxy, e2e TestGateway): the official etcdctl works through
/// it, and an endpoint that refuses connections is set aside for the next one.
/// </summary>
public sealed class TcpGatewayTests
{
    [Fact]
    public async Task EtcdctlWorksThroughTheGatewayPastADeadEndpoint()
    {
        await using var member = await EtcdProcess.StartAsync(Binaries.OurEtcd);
        var dead = FreePort.Next();
        var listen = FreePort.Next();
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(Binaries.OurEtcd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "gateway", $"--endpoints=http://127.0.0.1:{dead},{member.Endpoint}", $"--listen-addr=127.0.0.1:{listen}", "start" })
            info.ArgumentList.Add(arg);
        using var gateway = Process.Start(info)!;
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (log) log.AppendLine(line);
            if (line.Contains("\"msg\":\"ready to proxy client requests\"", StringComparison.Ordinal)) ready.TrySetResult();
        }
        gateway.OutputDataReceived += (_, e) => OnLine(e.Data);
        gateway.ErrorDataReceived += (_, e) => OnLine(e.Data);
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var etcdctl = new Etcdctl($"127.0.0.1:{listen}", Binaries.OfficialEtcdctl);
            Assert.Equal("OK\n", (await etcdctl.RunAsync("put", "foo", "bar")).Stdout);
            Assert.Equal("foo\nbar\n", (await etcdctl.RunAsync("get", "foo")).Stdout);
            lock (log) Assert.Contains($"\"msg\":\"deactivated endpoint\",\"address\":\"127.0.0.1:{dead}\"", log.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            gateway.Kill();
            await gateway.WaitForExitAsync();
        }
    }
}
