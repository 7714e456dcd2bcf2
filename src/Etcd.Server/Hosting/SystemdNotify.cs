using System.Net.Sockets;
using Etcd.Server.Logging;

namespace Etcd.Server.Hosting;

/// <summary>
/// sd_notify(READY=1) once the member serves, as etcd tells systemd for a Type=notify unit:
/// one datagram to $NOTIFY_SOCKET (a path, or an abstract name starting with '@').
/// </summary>
public static class SystemdNotify
{
    public static bool Ready(string? notifySocket, ZapLogger logger)
    {
        if (string.IsNullOrEmpty(notifySocket)) return false;
        logger.Info("notifying init daemon");
        try
        {
            var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send("READY=1"u8);
        }
        catch (SocketException e)
        {
            logger.Error("failed to notify systemd for readiness", LogField.Of("error", e.Message));
            return false;
        }
        logger.Info("successfully notified init daemon");
        return true;
    }
}
