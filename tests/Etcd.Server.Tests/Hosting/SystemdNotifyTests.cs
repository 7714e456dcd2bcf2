using System.Net.Sockets;
using System.Text;
using Etcd.Server.Hosting;
using Etcd.Server.Logging;

namespace Etcd.Server.Tests.Hosting;

/// <summary>The READY=1 datagram a Type=notify unit waits for.</summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public void SendsReadyToTheNotifySocket()
    {
        var dir = Directory.CreateTempSubdirectory("etcd-notify-").FullName;
        try
        {
            var path = Path.Combine(dir, "notify");
            using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            systemd.Bind(new UnixDomainSocketEndPoint(path));
            using var logger = ZapLogger.Create("error", ["stderr"]);
            Assert.True(SystemdNotify.Ready(path, logger));
            var buffer = new byte[64];
            systemd.ReceiveTimeout = 5000;
            var n = systemd.Receive(buffer);
            Assert.Equal("READY=1", Encoding.ASCII.GetString(buffer, 0, n));
            // Not under systemd: nothing to do.
            Assert.False(SystemdNotify.Ready(null, logger));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
