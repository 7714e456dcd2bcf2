namespace Etcd.Compat.Tests;

/// <summary>Bad command lines get etcd's first error line and exit code.</summary>
public sealed class FlagCompatibilityTests
{
    [Theory]
    [InlineData("--foo")]
    [InlineData("--name")]
    [InlineData("--snapshot-count", "abc")]
    [InlineData("--heartbeat-interval=-5")]
    [InlineData("--listen-client-urls", "foo")]
    [InlineData("--initial-cluster-state", "bogus")]
    [InlineData("--pre-vote=maybe")]
    [InlineData("extra-argument")]
    public async Task RefusedLikeEtcd(params string[] args)
    {
        var dataDir = Directory.CreateTempSubdirectory("etcd-flags-").FullName;
        try
        {
            string[] withDir = ["--data-dir", dataDir, .. args];
            var expected = await ProcessRunner.RunAsync(Binaries.ReferenceEtcd, withDir, timeout: TimeSpan.FromSeconds(20));
            var actual = await ProcessRunner.RunAsync(Binaries.OurEtcd, withDir, timeout: TimeSpan.FromSeconds(20));
            Assert.Equal(expected.ExitCode, actual.ExitCode);
            Assert.Equal(ErrorLine(expected.Stderr), ErrorLine(actual.Stderr));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task VersionPrintsEtcdsLabels()
    {
        var result = await ProcessRunner.RunAsync(Binaries.OurEtcd, ["--version"]);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("etcd Version: 3.5.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nGit SHA: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientPortInUseStopsTheMemberWithTheListenError()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";
        foreach (var binary in new[] { Binaries.ReferenceEtcd, Binaries.OurEtcd })
        {
            var dataDir = Directory.CreateTempSubdirectory("etcd-listen-").FullName;
            try
            {
                var result = await ProcessRunner.RunAsync(binary,
                    ["--logger", "zap", "--data-dir", dataDir, "--listen-client-urls", url, "--advertise-client-urls", url, "--listen-peer-urls", "http://127.0.0.1:0"],
                    timeout: TimeSpan.FromSeconds(20));
                Assert.True(result.ExitCode == 1, $"{binary}: exit {result.ExitCode}\n{result.Stderr}");
                Assert.Contains($"\"error\":\"listen tcp {url[7..]}: bind: address already in use\"", result.Stderr, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    // etcd 3.4 logs the verification error with a capnslog prefix ("2026-.. E | etcdmain: ");
    // the message after it is what must match.
    private static string ErrorLine(string stderr)
    {
        var line = stderr.Split('\n')[0];
        var marker = line.IndexOf("etcdmain: ", StringComparison.Ordinal);
        return marker >= 0 ? line[(marker + "etcdmain: ".Length)..] : line;
    }
}
