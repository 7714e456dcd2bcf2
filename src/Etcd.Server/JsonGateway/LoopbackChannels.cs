using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// The gRPC connections the gateway makes to this member itself, one per local address a request
/// arrived on, as etcd's gateway dials its own listener: gateway calls take the same path as any
/// client's (interceptors, limits, errors). Each is a single HTTP/2 connection, so
/// --max-concurrent-streams caps the gateway's open streams as it does etcd's.
/// </summary>
public sealed class LoopbackChannels(Uri fallback) : IDisposable
{
    private readonly ConcurrentDictionary<string, (GrpcChannel Channel, CallInvoker Invoker)> _channels = new();

    public CallInvoker For(HttpContext http)
    {
        var local = http.Connection.LocalIpAddress;
        var target = local is null ? fallback.Authority : new IPEndPoint(local, http.Connection.LocalPort).ToString();
        return _channels.GetOrAdd(target, Open).Invoker;
    }

    private static (GrpcChannel, CallInvoker) Open(string authority)
    {
        var channel = GrpcChannel.ForAddress($"http://{authority}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        return (channel, channel.CreateCallInvoker());
    }

    public void Dispose()
    {
        foreach (var (channel, _) in _channels.Values) channel.Dispose();
        _channels.Clear();
    }
}
