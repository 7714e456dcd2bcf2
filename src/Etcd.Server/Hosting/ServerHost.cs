using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Etcd.Server.Core;
using Etcd.Server.Hosting.Http2;
using Etcd.Server.Http;
using Etcd.Server.Services;
using Etcd.Server.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

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
            var bound = new HashSet<string>(StringComparer.Ordinal);
            foreach (var url in config.ListenClientUrls) Listen(kestrel, url, server.Tls.Client, bound);
            foreach (var url in config.ListenMetricsUrls) Listen(kestrel, url, server.Tls.Client, bound, metrics: true);
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

    // HTTP/2 first: gRPC clients offer both and etcd's cmux prefers h2.
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>How long a TLS handshake on the client port may take before the connection is closed.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private static void Listen(KestrelServerOptions kestrel, Uri url, ListenerTls? tls, HashSet<string> bound, bool metrics = false)
    {
        var socket = SocketOf(url);
        var secure = url.Scheme is "https" or "unixs";
        // Several URLs can name one socket (http:// and https:// on one port, as etcd allows):
        // each kind is bound once and the transport sorts the connections.
        if (!bound.Add($"{secure}|{socket}")) return;
        if (secure)
        {
            var serverTls = tls ?? throw new InvalidOperationException($"listen URL {url}: no TLS configured");
            kestrel.Listen(new ProtocolEndPoint(socket, ConnectionKind.Tls), o =>
            {
                o.Protocols = HttpProtocols.Http1AndHttp2;
                if (metrics) o.Use(MetricsListener.Mark);
                o.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = context => ValueTask.FromResult(serverTls.OptionsFor(context.Connection.RemoteEndPoint, Alpn)),
                    HandshakeTimeout = HandshakeTimeout,
                });
                o.UseAuthorityNormalization(onlyAfterAlpnH2: true);
            });
            return;
        }
        kestrel.Listen(new ProtocolEndPoint(socket, ConnectionKind.Http2), o =>
        {
            o.Protocols = HttpProtocols.Http2;
            if (metrics) o.Use(MetricsListener.Mark);
            o.UseAuthorityNormalization();
        });
        kestrel.Listen(new ProtocolEndPoint(socket, ConnectionKind.Http1), o =>
        {
            o.Protocols = HttpProtocols.Http1;
            if (metrics) o.Use(MetricsListener.Mark);
        });
    }

    private static EndPoint SocketOf(Uri url)
    {
        if (url.Scheme is "unix" or "unixs")
        {
            // etcd listens on host + path: "unix://localhost:2379" is the file "localhost:2379".
            return new UnixDomainSocketEndPoint(url.Authority + url.AbsolutePath.TrimEnd('/'));
        }
        if (url.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"listen URL {url}: unsupported scheme {url.Scheme}");
        var address = url.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host.Trim('[', ']'));
        return new IPEndPoint(address, url.Port);
    }
}
