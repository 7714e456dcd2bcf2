using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Etcd.Server.Hosting;

/// <summary>
/// Serves gRPC (prior-knowledge HTTP/2) and HTTP/1.1 on one cleartext port, as etcd does with
/// cmux. Kestrel cannot pick between the two without TLS (it falls back to HTTP/1.1), so this
/// transport owns the socket, reads the first bytes of each connection without consuming them
/// and hands the connection to the Kestrel endpoint of the matching protocol.
/// </summary>
public sealed class ProtocolSniffingTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector, IAsyncDisposable
{
    /// <summary>
    /// How long a new connection may stay silent before it is closed. Until its first bytes say
    /// which protocol it speaks no Kestrel timeout covers it, so without this bound a client
    /// that connects and sends nothing would hold a socket forever (Kestrel's own request
    /// header timeout, 30 s, is the same bound once a request starts).
    /// </summary>
    public static TimeSpan FirstBytesTimeout { get; set; } = TimeSpan.FromSeconds(30);

    // Every HTTP/2 connection starts with this preface (RFC 9113 §3.4); no HTTP/1 request does.
    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly Dictionary<IPEndPoint, SharedSocket> _sockets = [];
    // Inline scheduling runs request processing on the socket's I/O thread rather than handing
    // it to the thread pool: one thread wake-up less per request. Safe because no handler
    // blocks (the Raft loop, which does, has its own thread).
    private readonly SocketConnectionContextFactory _connections =
        new(new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true }, NullLogger.Instance);

    // Kestrel's pinned-block pool for the HTTP/2 layer's pipes (request bodies, responses). A
    // socket connection made outside Kestrel's own transport offers the shared array pool,
    // which under a thousand concurrent streams runs dry and allocates a fresh buffer for most
    // request bodies and responses: 46% of the bytes a put allocated.
    private readonly MemoryPool<byte> _streamBuffers;

    public ProtocolSniffingTransport(IMemoryPoolFactory<byte> memoryPools)
    {
        _streamBuffers = memoryPools.Create();
    }

    public bool CanBind(EndPoint endpoint) => endpoint is ProtocolEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var target = (ProtocolEndPoint)endpoint;
        lock (_sockets)
        {
            if (!_sockets.TryGetValue(target.Socket, out var shared))
            {
                shared = new SharedSocket(target.Socket, _connections, _streamBuffers);
                _sockets.Add(target.Socket, shared);
            }
            return ValueTask.FromResult<IConnectionListener>(new Listener(target, shared.QueueFor(target.Protocol)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        SharedSocket[] sockets;
        lock (_sockets)
        {
            sockets = [.. _sockets.Values];
            _sockets.Clear();
        }
        foreach (var socket in sockets) await socket.DisposeAsync();
        _connections.Dispose();
        _streamBuffers.Dispose();
    }

    /// <summary>The listening socket and the two queues its connections are sorted into.</summary>
    private sealed class SharedSocket : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly SocketConnectionContextFactory _connections;
        private readonly MemoryPool<byte> _streamBuffers;
        private readonly Channel<ConnectionContext> _http1 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly Channel<ConnectionContext> _http2 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly Task _acceptLoop;

        public SharedSocket(IPEndPoint endpoint, SocketConnectionContextFactory connections, MemoryPool<byte> streamBuffers)
        {
            _connections = connections;
            _streamBuffers = streamBuffers;
            _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) _listener.DualMode = endpoint.Address.Equals(IPAddress.IPv6Any);
            try
            {
                _listener.Bind(endpoint);
                _listener.Listen(1024);
            }
            catch (SocketException e)
            {
                _listener.Dispose();
                throw new IOException($"listen tcp {endpoint}: bind: {Describe(e.SocketErrorCode)}", e);
            }
            _acceptLoop = AcceptLoop();
        }

        // Go's wording for the errors a listen can meet, as etcd reports them.
        private static string Describe(SocketError error) => error switch
        {
            SocketError.AddressAlreadyInUse => "address already in use",
            SocketError.AccessDenied => "permission denied",
            SocketError.AddressNotAvailable => "cannot assign requested address",
            _ => error.ToString(),
        };

        public Channel<ConnectionContext> QueueFor(HttpProtocols protocol) => protocol == HttpProtocols.Http2 ? _http2 : _http1;

        private async Task AcceptLoop()
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await _listener.AcceptAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                    return;
                }
                accepted.NoDelay = true;
                var connection = _connections.Create(accepted);
                connection.Features.Set<IMemoryPoolFeature>(new StreamBuffers(_streamBuffers));
                _ = Route(connection);
            }
        }

        private async Task Route(ConnectionContext connection)
        {
            var input = connection.Transport.Input;
            using var silent = new CancellationTokenSource(FirstBytesTimeout);
            try
            {
                while (true)
                {
                    var read = await input.ReadAsync(silent.Token).ConfigureAwait(false);
                    var buffer = read.Buffer;
                    if (buffer.Length >= Http2Preface.Length || read.IsCompleted || !StartsLikePreface(buffer))
                    {
                        var isHttp2 = buffer.Length >= Http2Preface.Length && StartsLikePreface(buffer);
                        input.AdvanceTo(buffer.Start); // consume nothing: Kestrel reads these bytes again
                        await (isHttp2 ? _http2 : _http1).Writer.WriteAsync(connection).ConfigureAwait(false);
                        return;
                    }
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            catch (Exception)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        // True while what has arrived is still a prefix of the HTTP/2 preface.
        private static bool StartsLikePreface(ReadOnlySequence<byte> buffer)
        {
            Span<byte> head = stackalloc byte[24];
            var length = (int)Math.Min(buffer.Length, head.Length);
            buffer.Slice(0, length).CopyTo(head);
            return head[..length].SequenceEqual(Http2Preface[..length]);
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _acceptLoop.ConfigureAwait(false);
            _http1.Writer.TryComplete();
            _http2.Writer.TryComplete();
        }
    }

    private sealed class StreamBuffers(MemoryPool<byte> pool) : IMemoryPoolFeature
    {
        public MemoryPool<byte> MemoryPool => pool;
    }

    private sealed class Listener(ProtocolEndPoint endpoint, Channel<ConnectionContext> queue) : IConnectionListener
    {
        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            queue.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
