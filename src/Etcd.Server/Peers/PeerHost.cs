using System.Net;
using System.Net.Security;
using Etcd.Server.Configuration;
using Etcd.Server.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Etcd.Server.Peers;

/// <summary>
/// The Kestrel host on --listen-peer-urls, apart from the client host so that neither API is
/// reachable on the other's port. Cleartext HTTP/2 with prior knowledge: only members call here.
/// </summary>
public sealed class PeerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PeerHost(WebApplication app) => _app = app;

    public static async Task<PeerHost> StartAsync(EtcdConfig config, PeerEndpoint endpoint, ListenerTls? tls)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddGrpc(options =>
        {
            // Raft caps its appends, snapshots come in chunks: neither side needs gRPC's 4 MiB cap.
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
            options.EnableDetailedErrors = false;
            options.Interceptors.Add<Api.EtcdExceptionInterceptor>();
        });
        builder.Services.AddSingleton<Api.EtcdExceptionInterceptor>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(2);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(5);
            foreach (var url in config.ListenPeerUrls) Listen(kestrel, url, tls);
        });
        var app = builder.Build();
        app.MapGrpcService<RaftPeerService>();
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // A peer port in use (another member, a previous run): the member cannot start.
            await app.DisposeAsync().ConfigureAwait(false);
            throw new Core.BootstrapException($"listen peer URLs {string.Join(",", config.ListenPeerUrls)}: {e.Message}");
        }
        return new PeerHost(app);
    }

    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2];

    /// <summary>How long a TLS handshake on the peer port may take (etcd's peer read timeout).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    private static void Listen(KestrelServerOptions kestrel, Uri url, ListenerTls? tls)
    {
        if (url.Scheme is not ("http" or "https"))
            throw new Core.BootstrapException($"listen peer URL {url}: unsupported scheme {url.Scheme} (http or https)");
        var address = url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']'));
        kestrel.Listen(address, url.Port, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            if (url.Scheme != "https") return;
            var peerTls = tls ?? throw new InvalidOperationException($"listen peer URL {url}: no TLS configured");
            o.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = context => ValueTask.FromResult(peerTls.OptionsFor(context.Connection.RemoteEndPoint, Alpn)),
                HandshakeTimeout = HandshakeTimeout,
            });
        });
    }

    // Peer streams never end on their own: a graceful stop would wait out Kestrel's whole
    // shutdown timeout (30 s) for them. Members reconnect to whoever takes this one's place.
    private static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(200);

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(StopGrace))
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
