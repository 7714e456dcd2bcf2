using Etcd.Server.Core;

namespace Etcd.Server.V2.Http;

/// <summary>
/// The v2 HTTP API on the client URLs, served only with --enable-v2 (without it /v2 answers
/// Go's plain 404, as etcd's mux does). CORS and the host whitelist are checked in front of it
/// (<see cref="Etcd.Server.Http.AccessControl"/>).
/// </summary>
public static class V2Routes
{
    public static void Map(WebApplication app, EtcdServer server)
    {
        if (!server.Config.EnableV2)
        {
            app.Map("/v2/{**rest}", V2Answers.NotFoundAsync);
            return;
        }
        var keys = new V2KeysEndpoint(server);
        var members = new V2MembersEndpoint(server);
        var stats = new V2StatsEndpoint(server);
        app.Map("/v2/keys", keys.HandleAsync);
        app.Map("/v2/keys/{**key}", keys.HandleAsync);
        app.Map("/v2/members", members.HandleAsync);
        app.Map("/v2/members/{**id}", members.HandleAsync);
        app.Map("/v2/machines", context => MachinesAsync(context, server));
        app.Map("/v2/stats/self", stats.SelfAsync);
        app.Map("/v2/stats/leader", stats.LeaderAsync);
        app.Map("/v2/stats/store", stats.StoreAsync);
        // v2 authentication is not implemented: say so plainly rather than pretend.
        app.Map("/v2/auth/{**rest}", context => V2Answers.MessageAsync(context, 501, "v2 auth is not implemented by this server"));
        app.Map("/v2/{**rest}", V2Answers.NotFoundAsync);
    }

    /// <summary>The client URLs of all members, sorted, joined by ", " (etcd's /v2/machines).</summary>
    private static Task MachinesAsync(HttpContext context, EtcdServer server)
    {
        if (V2Answers.RefuseMethod(context, "GET,HEAD", out var refused)) return refused;
        var urls = server.Members.All.SelectMany(m => m.ClientUrls).Order(StringComparer.Ordinal);
        return V2Answers.WriteAsync(context, 200, "text/plain; charset=utf-8", string.Join(", ", urls));
    }
}
