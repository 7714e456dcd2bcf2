using System.Net.Http;

namespace Etcd.Compat.Tests;

/// <summary>The HTTP endpoints beside gRPC, several listen URLs, and configuration by ETCD_* variables.</summary>
public sealed class ServerSurfaceTests
{
    [Fact]
    public async Task ServesEveryListenUrlAndTheHttpEndpoints()
    {
        var second = FreePort.Next();
        var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, extraArgs: []);
        await using (member)
        {
            using var http = new HttpClient();
            Assert.Equal("{\"health\":\"true\",\"reason\":\"\"}", await http.GetStringAsync($"{member.Endpoint}/health"));
            Assert.Matches("^\\{\"etcdserver\":\"3\\.5\\.\\d+\",\"etcdcluster\":\"3\\.5\\.0\"\\}$", await http.GetStringAsync($"{member.Endpoint}/version"));
            var metrics = await http.GetStringAsync($"{member.Endpoint}/metrics");
            Assert.Contains("etcd_server_has_leader 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("etcd_mvcc_db_total_size_in_bytes ", metrics, StringComparison.Ordinal);
        }

        // Two client URLs, given through the environment rather than flags.
        var dataDir = Directory.CreateTempSubdirectory("etcd-env-").FullName;
        var first = FreePort.Next();
        var peer = FreePort.Next();
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["ETCD_LISTEN_CLIENT_URLS"] = $"http://127.0.0.1:{first},http://127.0.0.1:{second}",
                ["ETCD_ADVERTISE_CLIENT_URLS"] = $"http://127.0.0.1:{first}",
                ["ETCD_LISTEN_PEER_URLS"] = $"http://127.0.0.1:{peer}",
                ["ETCD_INITIAL_ADVERTISE_PEER_URLS"] = $"http://127.0.0.1:{peer}",
                ["ETCD_INITIAL_CLUSTER"] = $"default=http://127.0.0.1:{peer}",
                ["ETCD_DATA_DIR"] = dataDir,
            };
            using var server = System.Diagnostics.Process.Start(StartInfo(environment))!;
            // Drain its output so a full pipe never blocks it.
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            try
            {
                var viaFirst = new Etcdctl($"http://127.0.0.1:{first}", Binaries.OfficialEtcdctl);
                var viaSecond = new Etcdctl($"http://127.0.0.1:{second}", Binaries.OfficialEtcdctl);
                await Eventually(async () => (await viaFirst.RunAsync("put", "k", "v")).Stdout == "OK\n");
                Assert.Equal("k\nv\n", (await viaSecond.RunAsync("get", "k")).Stdout);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static System.Diagnostics.ProcessStartInfo StartInfo(Dictionary<string, string> environment)
    {
        var info = new System.Diagnostics.ProcessStartInfo(Binaries.OurEtcd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return info;
    }

    // Polls until the condition holds or 30 s pass.
    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(100);
        }
    }
}
