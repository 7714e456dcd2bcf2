namespace Etcd.Compat.Tests;

/// <summary>
/// The auth store lives in the backend beside the keys: after kill -9 and a restart (from a
/// snapshot plus the WAL after it) users, roles, permissions and "enabled" are all still there.
/// </summary>
public sealed class AuthRestartTests
{
    [Fact]
    public async Task UsersRolesAndEnabledAuthSurviveAKillAndRestart()
    {
        var dataDir = Directory.CreateTempSubdirectory("etcd-auth-").FullName;
        var clientPort = FreePort.Next();
        var peerPort = FreePort.Next();
        // A snapshot every few entries: part of the auth history is recovered from the backend, part from the WAL.
        string[] flags = ["--snapshot-count", "5"];
        try
        {
            var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort, flags);
            await using (member)
            {
                var ctl = new Etcdctl(member.Endpoint, Binaries.OfficialEtcdctl);
                foreach (var step in new[]
                {
                    new[] { "user", "add", "root:rootpw" },
                    ["role", "add", "reader"],
                    ["role", "grant-permission", "reader", "read", "--prefix", "app/"],
                    ["user", "add", "alice:alicepw"],
                    ["user", "grant-role", "alice", "reader"],
                    ["put", "app/x", "1"],
                    ["auth", "enable"],
                })
                {
                    var result = await ctl.RunAsync(step);
                    Assert.True(result.ExitCode == 0, string.Join(' ', step) + "\n" + result);
                }
                member.Kill();
            }

            var restarted = await EtcdProcess.StartAsync(Binaries.OurEtcd, dataDir, clientPort, peerPort, flags);
            await using (restarted)
            {
                var ctl = new Etcdctl(restarted.Endpoint, Binaries.OfficialEtcdctl);
                Assert.Equal("app/x\n1\n", (await ctl.RunAsync(["--user", "alice:alicepw", "get", "app/x"])).Stdout);
                Assert.Contains("etcdserver: permission denied", (await ctl.RunAsync(["--user", "alice:alicepw", "put", "app/x", "2"])).Stderr);
                Assert.Contains("etcdserver: user name is empty", (await ctl.RunAsync(["get", "app/x"])).Stderr);
                Assert.Contains("authentication failed", (await ctl.RunAsync(["--user", "alice:wrong", "get", "app/x"])).Stderr);
                Assert.Equal("alice\nroot\n", (await ctl.RunAsync(["--user", "root:rootpw", "user", "list"])).Stdout);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
