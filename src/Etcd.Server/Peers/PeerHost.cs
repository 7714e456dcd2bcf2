using System.Net;
using Etcd.Server.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// The Kestrel host on --listen-peer-urls, apart from the client host so that neither API is
/// reachable on the other's port. Cleartext HTTP/2 with prior knowledge: only members call here.
/// </summary>
public sealed class PeerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PeerHost(WebApplication app) => _app = app;

    public static async Task<PeerHost> StartAsync(EtcdConfig config, PeerEndpoint endpoint)
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
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(2);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(5);
            foreach (var url in config.ListenPeerUrls) Listen(kestrel, url);
        });
        var app = builder.Build();
        app.MapGrpcService<RaftPeerService>();
        await app.StartAsync().ConfigureAwait(false);
        return new PeerHost(app);
    }

    private static void Listen(KestrelServerOptions kestrel, Uri url)
    {
        if (url.Scheme != "http")
            throw new NotSupportedException($"listen peer URL {url}: only http:// is served so far (peer TLS arrives with the security work)");
        var address = url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']'));
        kestrel.Listen(address, url.Port, o => o.Protocols = HttpProtocols.Http2);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
