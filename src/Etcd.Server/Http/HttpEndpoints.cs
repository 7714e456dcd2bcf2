using System.Globalization;
using System.Text;
using Etcd.Server.Core;

namespace Etcd.Server.Http;

/// <summary>The HTTP/1.1 endpoints etcd serves beside gRPC: /health, /version, /metrics, the /v3 JSON gateway and, with --enable-v2, the v2 API.</summary>
public static class HttpEndpoints
{
    public static void Map(WebApplication app, EtcdServer server)
    {
        app.Use(AccessControl.From(server.Config.Cors, server.Config.HostWhitelist, server.Logger).InvokeAsync);
        app.MapGet("/version", () => Results.Text(
            $"{{\"etcdserver\":\"{EtcdServer.Version}\",\"etcdcluster\":\"{server.Members.ClusterVersion ?? "not_decided"}\"}}",
            "application/json"));
        var health = new HealthCounters();
        HealthRoutes.Map(app, server, health);
        app.MapGet("/metrics", () => Results.Text(Metrics.MetricsText.Build(server, health), Metrics.MetricsText.ContentType));
        // The JSON gateway (/v3/...) calls this member's own gRPC port, as etcd's does.
        var loopback = new JsonGateway.LoopbackChannels(server.Config.ListenClientUrls[0], server.Tls.Client);
        app.Lifetime.ApplicationStopped.Register(loopback.Dispose);
        // JSON spells bytes in base64 (4/3) with field names around them: twice the gRPC
        // receive limit bounds every request the gRPC call could accept.
        JsonGateway.GatewayRoutes.Map(app, loopback, 2 * ((long)server.Config.MaxRequestBytes + 512 * 1024));
        V2.Http.V2Routes.Map(app, server);
    }
}
