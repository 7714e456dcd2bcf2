using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Etcd.Server.Tls;
using Grpc.Core;
using Grpc.Net.Client;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// The gRPC connections the gateway makes to this member itself, one per local address (and
/// scheme) a request arrived on, as etcd's gateway dials its own listener: gateway calls take the
/// same path as any client's (interceptors, limits, errors). Each is a single HTTP/2 connection,
/// so --max-concurrent-streams caps the gateway's open streams as it does etcd's.
/// </summary>
/// <remarks>
/// A request that came over TLS is relayed over TLS, as etcd's gateway does: this member shows
/// its own server certificate as its client certificate (so --client-cert-auth holds for the
/// gateway's calls too) and does not verify the listener it dials, which is itself.
/// </remarks>
public sealed class LoopbackChannels(Uri fallback, ListenerTls? tls) : IDisposable
{
    private readonly ConcurrentDictionary<string, (GrpcChannel Channel, CallInvoker Invoker)> _channels = new();

    public CallInvoker For(HttpContext http)
    {
        var local = http.Connection.LocalIpAddress;
        var authority = local is null ? fallback.Authority : new IPEndPoint(local, http.Connection.LocalPort).ToString();
        var target = (http.Request.IsHttps ? "https://" : "http://") + authority;
        return _channels.GetOrAdd(target, Open).Invoker;
    }

    private (GrpcChannel, CallInvoker) Open(string target)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false };
        if (target.StartsWith("https://", StringComparison.Ordinal))
        {
            var serverTls = tls ?? throw new InvalidOperationException("a TLS request on a member without client TLS");
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => serverTls.Certificate,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            };
        }
        var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = handler,
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
