using System.Net;
using System.Net.Sockets;

namespace Etcd.Server.Hosting;

/// <summary>
/// One share of a client socket: Kestrel binds up to three of these per socket (cleartext
/// HTTP/2 for gRPC, cleartext HTTP/1.1, and TLS with ALPN choosing between the two), and
/// <see cref="ProtocolSniffingTransport"/> routes each accepted connection to one of them.
/// </summary>
public sealed class ProtocolEndPoint(EndPoint socket, ConnectionKind kind) : EndPoint
{
    public EndPoint Socket { get; } = socket;
    public ConnectionKind Kind { get; } = kind;

    /// <summary>The key of the socket this share belongs to (a TCP address or a unix socket path).</summary>
    public string SocketKey => Socket.ToString() ?? "";

    public override AddressFamily AddressFamily => Socket.AddressFamily;

    public override string ToString() => Socket is UnixDomainSocketEndPoint
        ? $"{(Kind == ConnectionKind.Tls ? "unixs" : "unix")}://{Socket}"
        : $"{(Kind == ConnectionKind.Tls ? "https" : "http")}://{Socket}";
}

/// <summary>What a connection on a client socket turned out to be.</summary>
public enum ConnectionKind
{
    /// <summary>Cleartext HTTP/2 with prior knowledge (gRPC).</summary>
    Http2,
    /// <summary>Cleartext HTTP/1.1 (the JSON gateway, /health, /metrics, /version, /v2).</summary>
    Http1,
    /// <summary>A TLS handshake: after it, ALPN picks HTTP/2 or HTTP/1.1.</summary>
    Tls,
}
