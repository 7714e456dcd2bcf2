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
/// Serves gRPC (prior-knowledge HTTP/2), HTTP/1.1 and TLS on one port, as etcd does with cmux.
/// Kestrel cannot pick between cleartext HTTP/2 and HTTP/1.1 (it falls back to HTTP/1.1), so
/// this transport owns the socket, reads the first bytes of each connection without consuming
/// them and hands the connection to the Kestrel endpoint of the matching kind: a TLS record
/// (first byte 0x16) to the TLS endpoint when the socket serves https, the HTTP/2 preface to
/// the HTTP/2 endpoint, anything else to HTTP/1.1. A socket that serves only TLS hands every
/// connection to the TLS endpoint unread. A connection that says nothing decisive within
/// <see cref="FirstBytesTimeout"/> is closed (on a TLS-only socket the handshake timeout bounds it).
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

    // A TLS connection starts with a handshake record (RFC 8446 §5.1); no HTTP request does.
    private const byte TlsHandshakeRecord = 0x16;

    private readonly Dictionary<string, SharedSocket> _sockets = [];
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
            if (!_sockets.TryGetValue(target.SocketKey, out var shared))
            {
                shared = new SharedSocket(target.Socket, _connections, _streamBuffers);
                _sockets.Add(target.SocketKey, shared);
            }
            return ValueTask.FromResult<IConnectionListener>(new Listener(target, shared.Serve(target.Kind)));
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

    /// <summary>The listening socket and the queues its connections are sorted into.</summary>
    private sealed class SharedSocket : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly SocketConnectionContextFactory _connections;
        private readonly MemoryPool<byte> _streamBuffers;
        private readonly Channel<ConnectionContext> _http1 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly Channel<ConnectionContext> _http2 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly Channel<ConnectionContext> _tls = Channel.CreateUnbounded<ConnectionContext>();
        private readonly bool _tcp;
        private readonly Task _acceptLoop;
        // Set while Kestrel binds, before the first connection is routed.
        private volatile bool _servesCleartext;
        private volatile bool _servesTls;

        public SharedSocket(EndPoint endpoint, SocketConnectionContextFactory connections, MemoryPool<byte> streamBuffers)
        {
            _connections = connections;
            _streamBuffers = streamBuffers;
            _tcp = endpoint is IPEndPoint;
            _listener = _tcp
                ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            if (endpoint is IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip) _listener.DualMode = ip.Address.Equals(IPAddress.IPv6Any);
            try
            {
                // A unix socket file left by a previous run would refuse the bind (etcd removes it too).
                if (endpoint is UnixDomainSocketEndPoint) File.Delete(endpoint.ToString()!);
                _listener.Bind(endpoint);
                _listener.Listen(1024);
            }
            catch (SocketException e)
            {
                _listener.Dispose();
                throw new IOException($"listen {(_tcp ? "tcp" : "unix")} {endpoint}: bind: {Describe(e.SocketErrorCode)}", e);
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

        /// <summary>The queue of connections of <paramref name="kind"/>, which this socket now serves.</summary>
        public Channel<ConnectionContext> Serve(ConnectionKind kind)
        {
            if (kind == ConnectionKind.Tls) _servesTls = true;
            else _servesCleartext = true;
            return kind switch
            {
                ConnectionKind.Http2 => _http2,
                ConnectionKind.Tls => _tls,
                _ => _http1,
            };
        }

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
                if (_tcp) accepted.NoDelay = true;
                var connection = _connections.Create(accepted);
                connection.Features.Set<IMemoryPoolFeature>(new StreamBuffers(_streamBuffers));
                _ = Route(connection);
            }
        }

        private async Task Route(ConnectionContext connection)
        {
            // A TLS-only socket: Kestrel's handshake (with its own timeout) decides.
            if (!_servesCleartext)
            {
                await _tls.Writer.WriteAsync(connection).ConfigureAwait(false);
                return;
            }
            var input = connection.Transport.Input;
            using var silent = new CancellationTokenSource(FirstBytesTimeout);
            try
            {
                while (true)
                {
                    var read = await input.ReadAsync(silent.Token).ConfigureAwait(false);
                    var buffer = read.Buffer;
                    if (_servesTls && buffer.Length > 0 && buffer.FirstSpan[0] == TlsHandshakeRecord)
                    {
                        input.AdvanceTo(buffer.Start);
                        await _tls.Writer.WriteAsync(connection).ConfigureAwait(false);
                        return;
                    }
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
                // Nothing decisive in time, or the caller went away: the connection is closed.
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
            _tls.Writer.TryComplete();
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
