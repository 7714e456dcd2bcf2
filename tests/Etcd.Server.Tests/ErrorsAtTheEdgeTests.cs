namespace Etcd.Server.Tests;

/// <summary>
/// The server's own code throws and returns <c>EtcdException</c>; gRPC's <c>RpcException</c> and
/// its status types belong to the API edge: the gRPC services and interceptors, the JSON
/// gateway (a gRPC client of the services), the hosting, and the peer API (its services and
/// its clients). Anywhere else, an RpcException would skip the one place errors are mapped.
/// </summary>
public sealed class ErrorsAtTheEdgeTests
{
    private static readonly string[] EdgeFolders = ["Api", "Services", "JsonGateway", "Hosting", "Peers"];

    // Files outside those folders that talk gRPC to a peer themselves, each with its reason.
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["Membership/MembershipChanges.cs"] = "forwards a promote to the leader over the peer API and turns its verdict into an EtcdException",
        ["Corruption/PeerHashes.cs"] = "asks each peer for its hash over the peer API (corruption checks) and turns a failed call into a warning",
        ["Metrics/GrpcMetrics.cs"] = "an interceptor at the gRPC edge: counts each call's status code for grpc_server_handled_total",
    };

    [Fact]
    public void NoCodeBelowTheApiEdgeDealsInRpcException()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Etcd.Server");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)) continue;
            if (EdgeFolders.Any(folder => relative.StartsWith(folder + "/", StringComparison.Ordinal)) || Allowed.ContainsKey(relative)) continue;
            var text = File.ReadAllText(file);
            if (text.Contains("RpcException", StringComparison.Ordinal) || text.Contains("new Status(", StringComparison.Ordinal))
                offenders.Add(relative);
        }
        Assert.True(offenders.Count == 0, $"RpcException below the API edge in: {string.Join(", ", offenders)}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Etcd.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Etcd.slnx not found above " + AppContext.BaseDirectory);
    }
}
