using System.Net;
using Etcd.Server.Core;
using Etcd.Server.Hosting.Http2;
using Etcd.Server.Http;
using Etcd.Server.Services;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Etcd.Server.Hosting;

/// <summary>Builds the Kestrel host that serves gRPC and HTTP on the client URLs.</summary>
public static class ServerHost
{
    // etcd accepts this much on top of --max-request-bytes for gRPC framing and metadata.
    private const int GrpcOverheadBytes = 512 * 1024;

    public static WebApplication Build(EtcdServer server)
    {
        var config = server.Config;
        // The empty builder reads no configuration files and watches none: etcd is configured by
        // its flags alone, and a file watcher on the working directory wakes the process for
        // every file anyone changes there.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(server);
        builder.Services.AddSingleton<IConnectionListenerFactory, ProtocolSniffingTransport>();
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = (int)Math.Min(config.MaxRequestBytes + GrpcOverheadBytes, int.MaxValue);
            // etcd sends without limit: a Kubernetes list can be far larger than any request.
            options.MaxSendMessageSize = null;
            options.EnableDetailedErrors = false;
            // Outermost: errors of the server's own code leave as etcd's gRPC statuses.
            options.Interceptors.Add<Api.EtcdExceptionInterceptor>();
            options.Interceptors.Add<Api.LearnerInterceptor>();
        });
        // One instance of each interceptor for all calls (resolved from here rather than made per call).
        builder.Services.AddSingleton<Api.EtcdExceptionInterceptor>();
        builder.Services.AddSingleton<Api.LearnerInterceptor>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            // Kubernetes multiplexes its watches over few connections: Kestrel's default of 100
            // streams per connection would stall it; etcd allows --max-concurrent-streams.
            kestrel.Limits.Http2.MaxStreamsPerConnection = (int)Math.Min(config.MaxConcurrentStreams, int.MaxValue);
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromHours(2);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            foreach (var url in config.ListenClientUrls) Listen(kestrel, url);
        });

        var app = builder.Build();
        app.MapGrpcService<KvService>();
        app.MapGrpcService<MaintenanceService>();
        app.MapGrpcService<ClusterService>();
        app.MapGrpcService<WatchService>();
        app.MapGrpcService<LeaseService>();
        app.MapGrpcService<AuthService>();
        app.MapGrpcService<LockService>();
        app.MapGrpcService<ElectionService>();
        HttpEndpoints.Map(app, server);
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, Uri url)
    {
        if (url.Scheme != "http")
            throw new NotSupportedException($"listen URL {url}: only http:// is served so far (TLS arrives with the security work)");
        var address = url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']'));
        var socket = new IPEndPoint(address, url.Port);
        kestrel.Listen(new ProtocolEndPoint(socket, HttpProtocols.Http2), o =>
        {
            o.Protocols = HttpProtocols.Http2;
            o.UseAuthorityNormalization();
        });
        kestrel.Listen(new ProtocolEndPoint(socket, HttpProtocols.Http1), o => o.Protocols = HttpProtocols.Http1);
    }
}
