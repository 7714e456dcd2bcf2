using System.Text;
using System.Text.RegularExpressions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Leases used through a follower of a 3-member cluster: only the leader counts leases down, so
/// the follower must hand keep-alives and time-to-live questions to it. The official etcdctl
/// prints the same against reference etcd and ours.
/// </summary>
public sealed partial class ClusterLeaseTests
{
    [Fact]
    public async Task AFollowerAnswersKeepAliveAndTimeToLiveLikeTheLeader()
    {
        var reference = await TranscriptAsync(Binaries.ReferenceEtcd);
        var ours = await TranscriptAsync(Binaries.OurEtcd);
        Assert.True(reference == ours, $"=== reference etcd\n{reference}\n=== ours\n{ours}");
    }

    private static async Task<string> TranscriptAsync(string binary)
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(binary, 3);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        var follower = cluster.Members.First(m => m != leader);
        var ctl = cluster.Ctl(follower.ClientUrl);
        var transcript = new StringBuilder();
        async Task<CommandResult> Run(params string[] args)
        {
            var result = await ctl.RunAsync(args);
            var text = OutputNormalizer.Normalize($"$ etcdctl {string.Join(' ', args)}\n{result.ExitCode}\n{result.Stdout}{ErrorLines(result.Stderr)}", follower.ClientPort);
            transcript.Append(Remaining().Replace(text, "remaining(Ns)"));
            return result;
        }

        var granted = await Run("lease", "grant", "60");
        var id = LeaseId().Match(granted.Stdout).Groups[1].Value;
        await Run("put", "--lease=" + id, "k1", "v1");
        await Run("lease", "keep-alive", "--once", id);
        await Run("lease", "timetolive", "--keys", id);
        await Run("lease", "list");
        await Run("lease", "revoke", id);
        await Run("lease", "timetolive", id);
        await Run("lease", "keep-alive", "--once", id);
        await Run("get", "k1");
        return transcript.ToString();
    }

    private static string ErrorLines(string stderr) =>
        string.Concat(stderr.Split('\n').Where(l => l.StartsWith("Error:", StringComparison.Ordinal)).Select(l => l + "\n"));

    [GeneratedRegex("lease ([0-9a-f]+) granted")]
    private static partial Regex LeaseId();

    [GeneratedRegex(@"remaining\(\d+s\)")]
    private static partial Regex Remaining();
}
