using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Etcd.Server.Hosting;

/// <summary>
/// --listen-metrics-urls: extra listeners that serve /metrics and the health endpoints only, as
/// etcd's metrics mux does (any other path, the gRPC services and the JSON gateway included, is
/// Go's "404 page not found"). Their connections carry a marker the request filter checks.
/// </summary>
public static class MetricsListener
{
    private const string Marker = "etcd.metrics-listener";

    /// <summary>Connection middleware for a metrics listener: marks each of its connections.</summary>
    public static ConnectionDelegate Mark(ConnectionDelegate next) => connection =>
    {
        connection.Items[Marker] = Marker;
        return next(connection);
    };

    public static bool Serves(PathString path) =>
        path.Value is "/metrics" or "/health" or "/livez" or "/readyz"
        || path.StartsWithSegments("/livez", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal);

    /// <summary>Refuses, on metrics connections, every path a metrics listener does not serve.</summary>
    public static void UseFilter(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.ContainsKey(Marker) && !Serves(context.Request.Path))
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await context.Response.WriteAsync("404 page not found\n").ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    });
}
