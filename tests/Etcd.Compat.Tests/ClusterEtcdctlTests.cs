using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// The official etcdctl against a 3-member cluster of ours and of reference etcd, the same
/// commands in the same order: member list, endpoint health/status across the cluster, adding a
/// learner that joins, promoting it, moving leadership to it, removing it. The transcripts must
/// be equal once ports, ids, sizes and timings are blanked out.
/// </summary>
public sealed partial class ClusterEtcdctlTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MembershipTranscriptMatchesReference()
    {
        var reference = await TranscriptAsync(Binaries.ReferenceEtcd);
        var ours = await TranscriptAsync(Binaries.OurEtcd);
        output.WriteLine("--- reference\n" + reference + "--- ours\n" + ours);
        Assert.Equal(reference, ours);
    }

    private async Task<string> TranscriptAsync(string binary)
    {
        var transcript = new StringBuilder();
        await using var cluster = await ClusterOfProcesses.StartAsync(binary, 3);
        var ports = new List<int>();
        foreach (var member in cluster.Members) ports.AddRange([member.ClientPort, member.PeerPort]);
        var joiner = cluster.NewMember("m3");
        ports.AddRange([joiner.ClientPort, joiner.PeerPort]);
        var endpoints = cluster.Endpoints;

        // Runs the command (again while it fails in a way <paramref name="retryWhile"/> accepts) and records the last outcome.
        async Task<CommandResult> RunRetrying(string title, bool sortRows, Func<CommandResult, bool> retryWhile, params string[] args)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var result = await cluster.Ctl(endpoints).RunAsync(args);
            while (result.ExitCode != 0 && retryWhile(result) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                result = await cluster.Ctl(endpoints).RunAsync(args);
            }
            transcript.Append("$ ").AppendLine(title).Append("exit ").Append(result.ExitCode).AppendLine();
            transcript.Append(Normalize(result.Stdout, sortRows, ports));
            if (result.ExitCode != 0) transcript.Append(Normalize(ErrorLines(result.Stderr), sortRows, ports));
            return result;
        }

        Task<CommandResult> Run(string title, bool sortRows, params string[] args) => RunRetrying(title, sortRows, _ => false, args);

        await Run("member list -w table", true, "member", "list", "-w", "table");
        await Run("endpoint health --cluster", true, "endpoint", "health", "--cluster");
        await Run("endpoint status --cluster -w table", true, "endpoint", "status", "--cluster", "-w", "table");

        // etcd refuses changes until every voter has been connected for 5 s ("unhealthy cluster").
        await RunRetrying("member add --learner", false, r => r.Stderr.Contains("unhealthy cluster", StringComparison.Ordinal),
            "member", "add", "m3", "--peer-urls", joiner.PeerUrl, "--learner");
        // etcd derives a new member's id from its peer URLs and the current second, so a repeat
        // within the same second collides on the id first: either refusal is etcd's answer.
        var addedAgain = await cluster.Ctl(endpoints).RunAsync("member", "add", "m3", "--peer-urls", joiner.PeerUrl, "--learner");
        transcript.Append("$ member add (again)\nexit ").Append(addedAgain.ExitCode).AppendLine();
        transcript.AppendLine(ErrorLines(addedAgain.Stderr).Replace("member ID already exist", "Peer URLs already exists", StringComparison.Ordinal).Trim());
        var listed = await cluster.Ctl(endpoints).RunAsync("member", "list");
        var id = listed.Stdout.Split('\n').First(l => l.Contains(joiner.PeerUrl, StringComparison.Ordinal)).Split(',')[0];
        await cluster.JoinAsync(joiner);
        await Run("member list -w table (learner)", true, "member", "list", "-w", "table");
        // The learner may still be catching up: etcd refuses a promotion until it has.
        await RunRetrying("member promote", false, r => r.Stderr.Contains("in sync with leader", StringComparison.Ordinal), "member", "promote", id);
        await Run("member promote (again: not a learner)", false, "member", "promote", id);
        endpoints = cluster.Endpoints;
        await Run("member list -w table (promoted)", true, "member", "list", "-w", "table");

        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        await Run("move-leader", false, "--endpoints", leader.ClientUrl, "move-leader", id);
        // The new leader has just been elected: etcd refuses a removal until it has been connected
        // to every peer for a while ("unhealthy cluster"), as for the addition above.
        await RunRetrying("member remove", false, r => r.Stderr.Contains("unhealthy cluster", StringComparison.Ordinal), "member", "remove", id);
        // Removing it again: etcd 3.4 answers only when the request times out; ours says why at once.
        if (binary == Binaries.OurEtcd)
        {
            // Ask the members that remain: the removed one may still be up, or already gone.
            var remaining = string.Join(",", cluster.Members.Where(m => m != joiner).Select(m => m.ClientUrl));
            var again = await cluster.Ctl(remaining).RunAsync("member", "remove", id);
            Assert.True(again.Stderr.Contains("Error: etcdserver: member not found", StringComparison.Ordinal), again.ToString());
        }
        // A removed member stops by itself.
        Assert.True(await joiner.WaitExitAsync(TimeSpan.FromSeconds(30)), $"removed member still running:\n{joiner.Log}");
        cluster.Forget(joiner);
        await joiner.DisposeAsync();
        endpoints = cluster.Endpoints;
        await Run("member list -w table (removed)", true, "member", "list", "-w", "table");
        return transcript.ToString();
    }

    // etcdctl's own retry warnings carry time stamps and client ids; the "Error:" line is what matters.
    private static string ErrorLines(string stderr) =>
        string.Concat(stderr.Split('\n').Where(l => l.StartsWith("Error:", StringComparison.Ordinal)).Select(l => l + "\n"));

    private static string Normalize(string text, bool sortRows, IEnumerable<int> ports)
    {
        text = OutputNormalizer.Normalize(text, [.. ports]);
        // member add lists the cluster in member-id order; ids differ between the two clusters.
        text = InitialCluster().Replace(text, m => $"ETCD_INITIAL_CLUSTER=\"{string.Join(",", m.Groups[1].Value.Split(',').Order(StringComparer.Ordinal))}\"");
        text = Sizes().Replace(text, "SIZE");
        text = StatusNumbers().Replace(text, "| N ");
        text = Version().Replace(text, "VERSION");
        // Column widths follow the contents (ids, ports, numbers), which differ between clusters.
        text = Padding().Replace(text, " ");
        text = Rule().Replace(text, "-");
        if (!sortRows) return text;
        // Rows come in member-id order, and ids differ between the two clusters.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = lines.Where(l => l.StartsWith("| HEXID", StringComparison.Ordinal) || l.StartsWith("| http", StringComparison.Ordinal)
            || l.Contains(" is healthy", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var result = new StringBuilder();
        var next = 0;
        foreach (var line in lines)
        {
            var isRow = line.StartsWith("| HEXID", StringComparison.Ordinal) || line.StartsWith("| http", StringComparison.Ordinal) || line.Contains(" is healthy", StringComparison.Ordinal);
            result.AppendLine(isRow ? rows[next++] : line);
        }
        return result.ToString();
    }

    [GeneratedRegex(@"\d+(\.\d+)? ?(kB|MB|B)\b")]
    private static partial Regex Sizes();

    // Term and indexes in the status table.
    [GeneratedRegex(@"\|\s*\d+\s*(?=\|)")]
    private static partial Regex StatusNumbers();

    [GeneratedRegex("ETCD_INITIAL_CLUSTER=\"([^\"]*)\"")]
    private static partial Regex InitialCluster();

    [GeneratedRegex(" {2,}")]
    private static partial Regex Padding();

    [GeneratedRegex("-{2,}")]
    private static partial Regex Rule();

    [GeneratedRegex(@"\b3\.\d+\.\d+\b")]
    private static partial Regex Version();
}
