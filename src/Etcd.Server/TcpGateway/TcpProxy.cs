using System.Net;
using System.Net.Sockets;
using Etcd.Server.Logging;

namespace Etcd.Server.TcpGateway;

/// <summary>
/// etcd's gateway (proxy/tcpproxy): a layer-4 proxy that hands each client connection to the next
/// reachable endpoint in turn. An endpoint that refuses a connection is set aside and tried again
/// every monitor interval, so clients are not sent to a member that is down.
/// </summary>
public sealed class TcpProxy(Socket listener, IReadOnlyList<DnsEndPoint> endpoints, TimeSpan monitorInterval, ZapLogger logger)
{
    private readonly Remote[] _remotes = endpoints.Select(e => new Remote(e)).ToArray();
    private readonly Lock _pickLock = new();
    private int _pickCount;

    public async Task RunAsync(CancellationToken token)
    {
        logger.Info("ready to proxy client requests", LogField.Of("endpoints", _remotes.Select(r => r.Address)));
        var monitor = MonitorAsync(token);
        try
        {
            while (!token.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(token).ConfigureAwait(false);
                _ = ServeAsync(client, token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await monitor.ConfigureAwait(false);
    }

    // Round robin over the active endpoints, as tcpproxy's pick does for SRV-less endpoints.
    private Remote? Pick()
    {
        lock (_pickLock)
        {
            for (var i = 0; i < _remotes.Length; i++)
            {
                var picked = _remotes[_pickCount++ % _remotes.Length];
                if (picked.Active) return picked;
            }
            return null;
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken token)
    {
        using (client)
        {
            Socket? upstream = null;
            while (upstream is null && Pick() is { } remote)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(remote.EndPoint, token).ConfigureAwait(false);
                    upstream = socket;
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    remote.Active = false;
                    logger.Warn("deactivated endpoint", LogField.Of("address", remote.Address),
                        LogField.Duration("interval", monitorInterval), LogField.Of("error", e.Message));
                }
                catch (OperationCanceledException)
                {
                    socket.Dispose();
                    return;
                }
            }
            if (upstream is null) return;
            using (upstream)
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await using var fromClient = new NetworkStream(client, ownsSocket: false);
                await using var toEndpoint = new NetworkStream(upstream, ownsSocket: false);
                // Either side ending ends both, as the Go proxy closes both connections.
                await Task.WhenAny(CopyAsync(fromClient, toEndpoint, token), CopyAsync(toEndpoint, fromClient, token)).ConfigureAwait(false);
            }
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken token)
    {
        try
        {
            await from.CopyToAsync(to, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task MonitorAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(monitorInterval, token).ConfigureAwait(false);
                foreach (var remote in _remotes.Where(r => !r.Active))
                    _ = TryReactivateAsync(remote, token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TryReactivateAsync(Remote remote, CancellationToken token)
    {
        using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await probe.ConnectAsync(remote.EndPoint, token).ConfigureAwait(false);
            remote.Active = true;
            logger.Info("activated", LogField.Of("address", remote.Address));
        }
        catch (SocketException e)
        {
            logger.Warn("failed to activate endpoint (stay inactive for another interval)", LogField.Of("address", remote.Address),
                LogField.Duration("interval", monitorInterval), LogField.Of("error", e.Message));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Remote(DnsEndPoint endPoint)
    {
        public DnsEndPoint EndPoint { get; } = endPoint;
        public string Address { get; } = $"{endPoint.Host}:{endPoint.Port}";
        public volatile bool Active = true;
    }
}
