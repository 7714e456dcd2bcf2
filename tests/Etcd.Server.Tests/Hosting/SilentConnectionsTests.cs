using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Etcd.Server.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Etcd.Server.Tests.Hosting;

/// <summary>Connections that never send a byte are closed after a bound, while others are still served.</summary>
public sealed class SilentConnectionsTests
{
    private sealed class SharedPool : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create() => MemoryPool<byte>.Shared;

        public MemoryPool<byte> Create(MemoryPoolOptions? options) => MemoryPool<byte>.Shared;
    }

    [Fact]
    public async Task SilentConnectionsAreClosedAndASpeakingOneIsStillRouted()
    {
        var previous = ProtocolSniffingTransport.FirstBytesTimeout;
        ProtocolSniffingTransport.FirstBytesTimeout = TimeSpan.FromMilliseconds(300);
        try
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            await using var transport = new ProtocolSniffingTransport(new SharedPool());
            var socket = new IPEndPoint(IPAddress.Loopback, port);
            var http1 = await transport.BindAsync(new ProtocolEndPoint(socket, ConnectionKind.Http1));
            await transport.BindAsync(new ProtocolEndPoint(socket, ConnectionKind.Http2));

            // A flood of connections that say nothing.
            var silent = new List<TcpClient>();
            for (var i = 0; i < 200; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                silent.Add(client);
            }
            // Meanwhile a client that speaks HTTP/1 is handed to the HTTP/1 endpoint.
            using var speaking = new TcpClient();
            await speaking.ConnectAsync(IPAddress.Loopback, port);
            await speaking.GetStream().WriteAsync("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            using var accept = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var routed = await http1.AcceptAsync(accept.Token);
            Assert.NotNull(routed);

            // Every silent one is closed by the server (a read sees the end) within the deadline.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[1];
            foreach (var client in silent)
            {
                int read;
                try
                {
                    read = await client.GetStream().ReadAsync(buffer, deadline.Token);
                }
                catch (IOException)
                {
                    read = 0; // reset: closed just the same
                }
                Assert.Equal(0, read);
                client.Dispose();
            }
            await routed!.DisposeAsync();
        }
        finally
        {
            ProtocolSniffingTransport.FirstBytesTimeout = previous;
        }
    }
}
