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
            // Outermost: counts what the client gets (etcd's go-grpc-prometheus metrics).
            options.Interceptors.Add<Metrics.GrpcMetrics>();
            // Errors of the server's own code leave as etcd's gRPC statuses.
            options.Interceptors.Add<Api.EtcdExceptionInterceptor>();
            options.Interceptors.Add<Api.LearnerInterceptor>();
        });
        // One instance of each interceptor for all calls (resolved from here rather than made per call).
        builder.Services.AddSingleton<Api.EtcdExceptionInterceptor>();
        builder.Services.AddSingleton<Metrics.GrpcMetrics>();
        Metrics.GrpcMetrics.Extensive = config.MetricsLevel == "extensive";
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
            foreach (var url in config.ListenMetricsUrls) Listen(kestrel, url, metrics: true);
        });

        var app = builder.Build();
        MetricsListener.UseFilter(app);
        app.MapGrpcService<KvService>();
        app.MapGrpcService<MaintenanceService>();
        app.MapGrpcService<ClusterService>();
        app.MapGrpcService<WatchService>();
        app.MapGrpcService<LeaseService>();
        app.MapGrpcService<AuthService>();
        app.MapGrpcService<LockService>();
        app.MapGrpcService<ElectionService>();
        HttpEndpoints.Map(app, server);
        RegisterGrpcMethods(app);
        return app;
    }

    // Every method's series exist from the start at zero, as go-grpc-prometheus initializes
    // them: a rate() over a method never called is 0, not missing.
    private static void RegisterGrpcMethods(WebApplication app)
    {
        foreach (var source in ((IEndpointRouteBuilder)app).DataSources)
        {
            foreach (var endpoint in source.Endpoints)
            {
                if (endpoint.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not { } grpc) continue;
                var type = grpc.Method.Type switch
                {
                    Grpc.Core.MethodType.Unary => "unary",
                    Grpc.Core.MethodType.ClientStreaming => "client_stream",
                    Grpc.Core.MethodType.ServerStreaming => "server_stream",
                    _ => "bidi_stream",
                };
                Metrics.GrpcMetrics.Register(grpc.Method.FullName, type);
            }
        }
    }

    private static void Listen(KestrelServerOptions kestrel, Uri url, bool metrics = false)
    {
        if (url.Scheme != "http")
            throw new NotSupportedException($"listen URL {url}: only http:// is served so far (TLS arrives with the security work)");
        var address = url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']'));
        var socket = new IPEndPoint(address, url.Port);
        kestrel.Listen(new ProtocolEndPoint(socket, HttpProtocols.Http2), o =>
        {
            o.Protocols = HttpProtocols.Http2;
            if (metrics) o.Use(MetricsListener.Mark);
            o.UseAuthorityNormalization();
        });
        kestrel.Listen(new ProtocolEndPoint(socket, HttpProtocols.Http1), o =>
        {
            o.Protocols = HttpProtocols.Http1;
            if (metrics) o.Use(MetricsListener.Mark);
        });
    }
}
