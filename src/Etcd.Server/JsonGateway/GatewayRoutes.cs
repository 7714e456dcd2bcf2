using Etcd.Api.Etcdserverpb;
using Etcd.Api.V3electionpb;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// etcd 3.4's gRPC gateway paths (the google.api.http options of its .proto files), each taking a
/// POST with the request as JSON. etcd also serves them under /v3beta/, rewritten to /v3/.
/// </summary>
public static class GatewayRoutes
{
    private static readonly string[] Prefixes = ["/v3/", "/v3beta/"];

    public static IReadOnlyList<GatewayRoute> All { get; } =
    [
        Route("kv/range", KV.Descriptor, "Range"),
        Route("kv/put", KV.Descriptor, "Put"),
        Route("kv/deleterange", KV.Descriptor, "DeleteRange"),
        Route("kv/txn", KV.Descriptor, "Txn"),
        Route("kv/compaction", KV.Descriptor, "Compact"),
        Route("watch", Etcd.Api.Etcdserverpb.Watch.Descriptor, "Watch"),
        Route("lease/grant", Lease.Descriptor, "LeaseGrant"),
        Route("lease/revoke", Lease.Descriptor, "LeaseRevoke"),
        Route("kv/lease/revoke", Lease.Descriptor, "LeaseRevoke"),
        Route("lease/keepalive", Lease.Descriptor, "LeaseKeepAlive"),
        Route("lease/timetolive", Lease.Descriptor, "LeaseTimeToLive"),
        Route("kv/lease/timetolive", Lease.Descriptor, "LeaseTimeToLive"),
        Route("lease/leases", Lease.Descriptor, "LeaseLeases"),
        Route("kv/lease/leases", Lease.Descriptor, "LeaseLeases"),
        Route("cluster/member/add", Cluster.Descriptor, "MemberAdd"),
        Route("cluster/member/remove", Cluster.Descriptor, "MemberRemove"),
        Route("cluster/member/update", Cluster.Descriptor, "MemberUpdate"),
        Route("cluster/member/list", Cluster.Descriptor, "MemberList"),
        Route("cluster/member/promote", Cluster.Descriptor, "MemberPromote"),
        Route("maintenance/alarm", Maintenance.Descriptor, "Alarm"),
        Route("maintenance/status", Maintenance.Descriptor, "Status"),
        Route("maintenance/defragment", Maintenance.Descriptor, "Defragment"),
        // Hash and HashKV share this path in etcd's .proto; the gateway serves the first, Hash.
        Route("maintenance/hash", Maintenance.Descriptor, "Hash"),
        Route("maintenance/snapshot", Maintenance.Descriptor, "Snapshot"),
        Route("maintenance/transfer-leadership", Maintenance.Descriptor, "MoveLeader"),
        Route("auth/enable", Auth.Descriptor, "AuthEnable"),
        Route("auth/disable", Auth.Descriptor, "AuthDisable"),
        Route("auth/authenticate", Auth.Descriptor, "Authenticate"),
        Route("auth/user/add", Auth.Descriptor, "UserAdd"),
        Route("auth/user/get", Auth.Descriptor, "UserGet"),
        Route("auth/user/list", Auth.Descriptor, "UserList"),
        Route("auth/user/delete", Auth.Descriptor, "UserDelete"),
        Route("auth/user/changepw", Auth.Descriptor, "UserChangePassword"),
        Route("auth/user/grant", Auth.Descriptor, "UserGrantRole"),
        Route("auth/user/revoke", Auth.Descriptor, "UserRevokeRole"),
        Route("auth/role/add", Auth.Descriptor, "RoleAdd"),
        Route("auth/role/get", Auth.Descriptor, "RoleGet"),
        Route("auth/role/list", Auth.Descriptor, "RoleList"),
        Route("auth/role/delete", Auth.Descriptor, "RoleDelete"),
        Route("auth/role/grant", Auth.Descriptor, "RoleGrantPermission"),
        Route("auth/role/revoke", Auth.Descriptor, "RoleRevokePermission"),
        Route("lock/lock", Etcd.Api.V3lockpb.Lock.Descriptor, "Lock"),
        Route("lock/unlock", Etcd.Api.V3lockpb.Lock.Descriptor, "Unlock"),
        Route("election/campaign", Election.Descriptor, "Campaign"),
        Route("election/proclaim", Election.Descriptor, "Proclaim"),
        Route("election/leader", Election.Descriptor, "Leader"),
        Route("election/observe", Election.Descriptor, "Observe"),
        Route("election/resign", Election.Descriptor, "Resign"),
    ];

    /// <summary>Serves every route under /v3/ and /v3beta/, forwarding to this member over <paramref name="channels"/>.</summary>
    /// <param name="maxValueBytes">The largest JSON request value read (see <see cref="JsonValueStream"/>).</param>
    public static void Map(WebApplication app, LoopbackChannels channels, long maxValueBytes)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in All)
        {
            paths.Add(route.Path);
            foreach (var prefix in Prefixes)
                app.MapPost(prefix + route.Path, (HttpContext http) => GatewayCall.ForwardAsync(http, route, channels.For(http), maxValueBytes, stopping));
        }
        // Everything else under the prefixes answers as grpc-gateway's mux does: plain-text 405
        // for a known path asked with another method, 404 otherwise.
        foreach (var prefix in Prefixes)
        {
            app.Map(prefix + "{**rest}", (HttpContext http) =>
            {
                var known = paths.Contains((string?)http.Request.RouteValues["rest"] ?? "");
                return PlainTextAsync(http, known ? 405 : 404, known ? "Method Not Allowed" : "Not Found");
            });
        }
    }

    // Go's http.Error.
    private static Task PlainTextAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return http.Response.WriteAsync(text + "\n", http.RequestAborted);
    }

    private static GatewayRoute Route(string path, ServiceDescriptor service, string method) =>
        new(path, service.FindMethodByName(method) ?? throw new InvalidOperationException($"{service.FullName} has no method {method}"));
}
