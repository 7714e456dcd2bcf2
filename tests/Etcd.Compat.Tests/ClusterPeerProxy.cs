using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Etcd.Compat.Tests;

/// <summary>
/// A TCP proxy in front of one member's peer port, which the other members are told to use. It
/// passes bytes through unchanged, refuses connections the partition table forbids and, when the
/// table changes, drops the open ones it now forbids: a network partition on one machine.
/// </summary>
public sealed class ClusterPeerProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ClusterMember _target;
    private readonly ClusterPartitions _partitions;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Relay> _relays = [];
    private readonly Task _accepting;

    public ClusterPeerProxy(ClusterMember target, ClusterPartitions partitions)
    {
        _target = target;
        _partitions = partitions;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoop();
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Closes the relays the partition table no longer allows.</summary>
    public void DropForbidden()
    {
        lock (_relays)
        {
            foreach (var relay in _relays.Where(r => !_partitions.Allows(r.FromProcess, _target))) relay.Close();
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = RelayAsync(incoming);
        }
    }

    private async Task RelayAsync(TcpClient incoming)
    {
        var from = SocketOwner(((IPEndPoint)incoming.Client.RemoteEndPoint!).Port);
        if (!_partitions.Allows(from, _target))
        {
            incoming.Dispose();
            return;
        }
        var outgoing = new TcpClient();
        try
        {
            await outgoing.ConnectAsync(IPAddress.Loopback, _target.PeerPort, _stop.Token);
        }
        catch (Exception)
        {
            incoming.Dispose();
            outgoing.Dispose();
            return;
        }
        var relay = new Relay(from, incoming, outgoing);
        lock (_relays) _relays.Add(relay);
        try
        {
            await Task.WhenAny(Pump(incoming, outgoing), Pump(outgoing, incoming));
        }
        finally
        {
            relay.Close();
            lock (_relays) _relays.Remove(relay);
        }
    }

    private static async Task Pump(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception)
        {
            // Either side closed or was dropped: the relay ends.
        }
    }

    /// <summary>
    /// The member process that owns the connecting socket (local port <paramref name="port"/>,
    /// connected to this proxy), found through /proc; 0 when it is none of the members.
    /// </summary>
    private int SocketOwner(int port)
    {
        var inode = SocketInode(port);
        if (inode is null) return 0;
        var link = $"socket:[{inode}]";
        foreach (var member in _partitions.Members)
        {
            var pid = member.ProcessId;
            if (pid == 0) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget == link) return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return 0;
    }

    private string? SocketInode(int port)
    {
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10) continue;
                if (PortOf(fields[1]) == port && PortOf(fields[2]) == Port) return fields[9];
            }
        }
        return null;
    }

    private static int PortOf(string address) => int.Parse(address[(address.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_relays)
        {
            foreach (var relay in _relays) relay.Close();
        }
        _stop.Dispose();
    }

    private sealed record Relay(int FromProcess, TcpClient Incoming, TcpClient Outgoing)
    {
        public void Close()
        {
            Incoming.Dispose();
            Outgoing.Dispose();
        }
    }
}
