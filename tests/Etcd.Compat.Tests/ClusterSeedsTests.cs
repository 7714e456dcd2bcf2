using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// The seeds' high-availability command line: two controllers, each one member, both listed in
/// --initial-cluster controller-0=...,controller-1=... (http here; TLS comes with security).
/// </summary>
public sealed class ClusterSeedsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoControllerInitialClusterServesOnBothMembers()
    {
        var root = Directory.CreateTempSubdirectory("etcd-seeds-").FullName;
        var controllers = new[] { new ClusterMember(Binaries.OurEtcd, "controller-0", Path.Combine(root, "controller-0")),
            new ClusterMember(Binaries.OurEtcd, "controller-1", Path.Combine(root, "controller-1")) };
        try
        {
            var initialCluster = string.Join(",", controllers.Select(c => $"{c.Name}={c.PeerUrl}"));
            foreach (var controller in controllers) controller.Start(initialCluster, "new", "etcd-cluster-0", []);
            await Task.WhenAll(controllers.Select(c => c.WaitReadyAsync(ClusterOfProcesses.StartTimeout)));

            var both = string.Join(",", controllers.Select(c => c.ClientUrl));
            var etcdctl = (string endpoints) => new Etcdctl(endpoints, Binaries.OfficialEtcdctl);
            var put = await etcdctl(controllers[0].ClientUrl).RunAsync("put", "/registry/seed", "on-controller-0");
            Assert.True(put.ExitCode == 0, put.ToString());
            var get = await etcdctl(controllers[1].ClientUrl).RunAsync("get", "/registry/seed", "--print-value-only");
            Assert.Equal("on-controller-0\n", get.Stdout);
            var list = await etcdctl(both).RunAsync("member", "list");
            output.WriteLine(list.Stdout);
            Assert.Equal(2, list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(", started, controller-", StringComparison.Ordinal)));
            var health = await etcdctl(both).RunAsync("endpoint", "health", "--cluster");
            Assert.True(health.ExitCode == 0, health.ToString());
        }
        finally
        {
            foreach (var controller in controllers) await controller.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }
}
