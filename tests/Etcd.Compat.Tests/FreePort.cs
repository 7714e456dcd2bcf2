using System.Net;
using System.Net.Sockets;

namespace Etcd.Compat.Tests;

/// <summary>
/// Loopback ports that were free a moment ago, for servers the tests start. They are picked below
/// the kernel's ephemeral range (32768 and up), not by binding port 0: the kernel takes that
/// port from the ephemeral range, where every outgoing connection (etcdctl, the members' peer
/// links) also gets its port, and one of them could take it before the server binds it.
/// </summary>
public static class FreePort
{
    private const int Low = 10000;
    private const int High = 32000;
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                var port = Random.Shared.Next(Low, High);
                if (!Given.Add(port)) continue;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // In use by someone else: try another.
                }
            }
        }
    }
}
