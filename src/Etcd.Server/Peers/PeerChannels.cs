using System.Net;
using Grpc.Net.Client;

namespace Etcd.Server.Peers;

/// <summary>gRPC channels to other members' peer URLs (cleartext HTTP/2 until peer TLS arrives).</summary>
public static class PeerChannels
{
    // etcd's default dial timeout for peers.
    public static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(1);

    public static GrpcChannel Open(string peerUrl) => GrpcChannel.ForAddress(peerUrl, new GrpcChannelOptions
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
        },
        // Raft limits what it puts in one message; snapshots come in chunks.
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
        DisposeHttpClient = true,
    });
}
