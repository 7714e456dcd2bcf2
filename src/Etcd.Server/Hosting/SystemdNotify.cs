using System.Net.Sockets;
using Etcd.Server.Logging;

namespace Etcd.Server.Hosting;

/// <summary>
/// sd_notify(READY=1) once the member serves, as etcd tells systemd for a Type=notify unit:
/// one datagram to $NOTIFY_SOCKET (a path, or an abstract name starting with '@').
/// Not under systemd (no NOTIFY_SOCKET) there is nothing to do, as for go-systemd's SdNotify.
/// </summary>
public static class SystemdNotify
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    public static bool Ready(string? notifySocket, ZapLogger logger)
    {
        if (string.IsNullOrEmpty(notifySocket)) return false;
        logger.Info("notifying init daemon");
        try
        {
            // systemd's abstract names are written with a leading '@' for the NUL byte.
            var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send("READY=1"u8);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            // A unit that waits for READY=1 times out and says so; the member keeps serving.
            logger.Error("failed to notify systemd for readiness", LogField.Of("error", e.Message));
            return false;
        }
        logger.Info("successfully notified init daemon");
        return true;
    }

    /// <summary>Tells the init daemon this process is ready, if one asked through the environment.</summary>
    public static bool Ready(ZapLogger logger) => Ready(Environment.GetEnvironmentVariable(SocketVariable), logger);
}
