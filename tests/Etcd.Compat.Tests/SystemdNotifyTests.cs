using System.Net.Sockets;
using System.Text;

namespace Etcd.Compat.Tests;

/// <summary>
/// Type=notify: systemd binds a datagram socket, names it in NOTIFY_SOCKET, and starts the units
/// ordered after etcd once READY=1 arrives. Here the test plays systemd for the real server.
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task TheServerSendsReadyOnceItServesClients()
    {
        var dir = Directory.CreateTempSubdirectory("etcd-notify-").FullName;
        try
        {
            var path = Path.Combine(dir, "notify");
            using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            systemd.Bind(new UnixDomainSocketEndPoint(path));
            await using var etcd = await EtcdProcess.StartAsync(Binaries.OurEtcd,
                environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path });
            var buffer = new byte[256];
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var n = await systemd.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            Assert.Equal("READY=1", Encoding.ASCII.GetString(buffer, 0, n));
            // What systemd then starts (the API server) finds a member that answers.
            var put = await new Etcdctl(etcd.Endpoint, Binaries.OfficialEtcdctl).RunAsync("put", "ready", "yes");
            Assert.True(put.ExitCode == 0, put.ToString());
            Assert.Contains("successfully notified init daemon", etcd.Log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task AnUnreachableNotifySocketIsLoggedAndTheServerKeepsServing()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"etcd-no-notify-{Guid.NewGuid():N}");
        await using var etcd = await EtcdProcess.StartAsync(Binaries.OurEtcd,
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = missing });
        var put = await new Etcdctl(etcd.Endpoint, Binaries.OfficialEtcdctl).RunAsync("put", "still", "serving");
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Contains("failed to notify systemd for readiness", etcd.Log, StringComparison.Ordinal);
    }
}
