using System.Net;
using Etcd.Server.Tls;
using Grpc.Net.Client;

namespace Etcd.Server.Peers;

/// <summary>
/// gRPC channels to other members' peer URLs: cleartext HTTP/2 for http://, TLS with this
/// member's peer certificate and trust for https:// (ALPN h2).
/// </summary>
public sealed class PeerChannels(CallerTls tls)
{
    // etcd's default dial timeout for peers.
    public static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Channels that speak cleartext, or TLS without a certificate of their own.</summary>
    public static PeerChannels Plain { get; } = new(MemberTls.None.PeerCaller);

    public GrpcChannel Open(string peerUrl) => GrpcChannel.ForAddress(peerUrl, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = DialTimeout,
            // A member that vanished without closing its connections (a partition, a paused
            // process) is noticed by unanswered pings rather than by a write that never returns.
            KeepAlivePingDelay = TimeSpan.FromSeconds(2),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            SslOptions = tls.Options(),
        },
        // Raft limits what it puts in one message; snapshots come in chunks.
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
        DisposeHttpClient = true,
    });
}
