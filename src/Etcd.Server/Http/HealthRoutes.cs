using Etcd.Server.Core;
using Microsoft.Extensions.Primitives;

namespace Etcd.Server.Http;

/// <summary>Maps etcd's /health, /livez, /readyz and their per-check sub paths (on the client and the metrics URLs alike, as etcd does).</summary>
public static class HealthRoutes
{
    public static void Map(IEndpointRouteBuilder app, EtcdServer server, HealthCounters counters)
    {
        var member = new ServerHealth(server);
        var timeout = server.RequestTimeout;
        async Task<HealthAnswer> Health(HttpContext context)
        {
            var answer = await HealthChecks.HealthAsync(member, Values(context.Request.Query["exclude"]),
                context.Request.Query["serializable"] == "true", timeout).ConfigureAwait(false);
            counters.Health(answer.StatusCode == 200);
            return answer;
        }
        // etcd 3.4's /health writes its JSON without X-Content-Type-Options; 3.5's /livez and /readyz add it.
        app.Map("/health", context => Answer(context, Health, noSniff: false));
        MapChecks(app, "livez", HealthChecks.Livez, member, timeout, counters);
        MapChecks(app, "readyz", HealthChecks.Readyz, member, timeout, counters);
    }

    private static void MapChecks(IEndpointRouteBuilder app, string type, string[] checks, IMemberHealth member, TimeSpan timeout, HealthCounters counters)
    {
        void Record(string check, bool ok) => counters.Check(type, check, ok);
        Task<HealthAnswer> All(HttpContext context) => HealthChecks.RunAsync(member, checks, Values(context.Request.Query["exclude"]),
            context.Request.Query.ContainsKey("verbose"), timeout, Record);
        app.Map("/" + type, context => Answer(context, All, noSniff: true));
        foreach (var check in checks)
        {
            string[] one = [check];
            Task<HealthAnswer> One(HttpContext context) => HealthChecks.RunAsync(member, one, [], context.Request.Query.ContainsKey("verbose"), timeout, Record);
            app.Map($"/{type}/{check}", context => Answer(context, One, noSniff: true));
        }
    }

    private static HashSet<string> Values(StringValues values)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value)) set.Add(value);
        }
        return set;
    }

    private static async Task Answer(HttpContext context, Func<HttpContext, Task<HealthAnswer>> run, bool noSniff)
    {
        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            response.Headers.Allow = "GET";
            await Write(response, 405, "Method Not Allowed\n", noSniff).ConfigureAwait(false);
            return;
        }
        var answer = await run(context).ConfigureAwait(false);
        await Write(response, answer.StatusCode, answer.Body, noSniff).ConfigureAwait(false);
    }

    private static Task Write(HttpResponse response, int status, string body, bool noSniff)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        if (noSniff) response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsync(body);
    }
}
