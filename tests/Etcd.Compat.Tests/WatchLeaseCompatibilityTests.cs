using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Etcd.Compat.Tests;

/// <summary>
/// The official etcdctl's watch, lease, lock and elect commands against reference etcd 3.4 and
/// against ours: the same script must print the same bytes on both, once ids, ports and
/// seconds that tick while it runs are blanked out.
/// </summary>
public sealed partial class WatchLeaseCompatibilityTests : IAsyncLifetime
{
    private EtcdProcess _reference = null!;
    private EtcdProcess _ours = null!;

    public async Task InitializeAsync()
    {
        (_reference, _ours) = await EtcdProcess.StartBothAsync();
    }

    public async Task DisposeAsync()
    {
        await _reference.DisposeAsync();
        await _ours.DisposeAsync();
    }

    /// <summary>Runs <paramref name="script"/> against both members and compares what was printed.</summary>
    private async Task Same(Func<Transcript, Task> script)
    {
        var expected = new Transcript(_reference);
        var actual = new Transcript(_ours);
        await script(expected);
        await script(actual);
        Assert.True(expected.Text == actual.Text, $"=== reference etcd\n{expected.Text}\n=== ours\n{actual.Text}");
    }

    [Fact]
    public async Task LeaseCommandsPrintWhatEtcdPrints() => await Same(async t =>
    {
        // The minimum TTL: 1.5 election timeouts rounded up to whole seconds.
        var shortLease = LeaseId(await t.Run("lease", "grant", "1"));
        await t.Run("lease", "revoke", shortLease);
        var lease = LeaseId(await t.Run("lease", "grant", "100"));
        await t.Run("lease", "grant", "30", "-w", "json");
        await t.Run("put", "--lease=" + lease, "k1", "v1");
        await t.Run("put", "--lease=" + lease, "k2", "v2");
        await t.Run("put", "k3", "v3");
        await t.Run("lease", "timetolive", lease);
        await t.Run("lease", "timetolive", "--keys", lease);
        await t.Run("lease", "keep-alive", "--once", lease);
        await t.Run("lease", "list");
        await t.Run("lease", "revoke", lease);
        await t.Run("get", "k", "--prefix");
        await t.Run("lease", "timetolive", lease);
        await t.Run("lease", "revoke", lease);
        await t.Run("lease", "keep-alive", "--once", lease);
        await t.Run("put", "--lease=1234", "k4", "v4");
        await t.Run("lease", "grant", "9000000001");
        await t.Run("put", "k3", "v3b", "--ignore-lease");
        await t.Run("get", "k3", "-w", "json");
    });

    [Fact]
    public async Task AnExpiredLeaseTakesItsKeysWithIt() => await Same(async t =>
    {
        var lease = LeaseId(await t.Run("lease", "grant", "2"));
        await t.Run("put", "--lease=" + lease, "short", "lived");
        await t.Run("get", "short");
        await t.Poll(["get", "short"], output => output.Contains("exit 0\n--- stdout\n---", StringComparison.Ordinal));
        await t.Run("lease", "timetolive", lease);
    });

    [Fact]
    public async Task WatchReplaysHistoryAsEtcdDoes() => await Same(async t =>
    {
        await t.Run("put", "foo", "1");
        await t.Run("put", "foo2", "2");
        await t.Run("del", "foo");
        await t.Run("put", "foo", "3");
        // No compares; success: two puts; no failure requests.
        await t.Run(["txn"], "\nput foo 4\nput bar 1\n\n\n");
        await t.Run("put", "end", "x");
        // Each watch runs until the last event it must print: "foo" set to 4 (base64 "NA==" in JSON), or "end".
        await t.Watch("\n4\n", "watch", "foo", "--rev", "1", "--prev-kv");
        await t.Watch("NA==", "watch", "--prefix", "foo", "--rev", "2", "-w", "json");
        await t.Watch("\n4\n", "watch", "foo", "zoo", "--rev", "1");
        await t.Watch("\nend\n", "watch", "--rev", "1", "--prefix", "");
        await t.Run("compaction", "4");
        await t.Watch("never printed: the watch is cancelled and etcdctl exits", "watch", "foo", "--rev", "2", "-w", "json");
        await t.Watch("\n4\n", "watch", "foo", "--rev", "4", "--prefix");
    });

    [Fact]
    public async Task InteractiveWatchAndProgressAsEtcd() => await Same(async t =>
    {
        await t.Run("put", "a", "0");
        await using var watch = t.Start("watch", "-i");
        await watch.WriteLineAsync("watch a");
        await watch.WriteLineAsync("watch b --rev 1");
        // Until a progress notification arrives the watchers may not exist yet: write after it.
        await watch.WriteLineAsync("progress");
        await watch.WaitForAsync(o => o.Contains("progress notify", StringComparison.Ordinal));
        await t.Run("put", "a", "1");
        await t.Run("put", "b", "2");
        await watch.WaitForAsync(o => o.Contains("\nb\n2\n", StringComparison.Ordinal) && o.Contains("\na\n1\n", StringComparison.Ordinal));
        await watch.WriteLineAsync("progress");
        await watch.WaitForAsync(o => Regex.Count(o, "progress notify") == 4);
        t.Record("watch -i", watch.Stdout);
    });

    [Fact]
    public async Task LockPrintsTheKeyAndRunsACommandUnderIt() => await Same(async t =>
    {
        await t.Run("lock", "mylock", "--", "echo", "under the lock");
        await using var holder = t.Start("lock", "mylock");
        // etcdctl prints the key, then an empty line.
        await holder.WaitForAsync(o => o.Contains("\n\n", StringComparison.Ordinal));
        t.Record("lock mylock (holder)", holder.Stdout);
        await using var waiter = t.Start("lock", "mylock");
        // The waiter gets the lock only when the holder lets go (etcdctl revokes its lease on SIGTERM).
        await t.Poll(["get", "mylock", "--prefix", "--keys-only"], o => Regex.Count(o, "mylock/") == 2);
        Terminate(holder);
        await waiter.WaitForAsync(o => o.Contains("\n\n", StringComparison.Ordinal));
        t.Record("lock mylock (waiter)", waiter.Stdout);
        Terminate(waiter);
        await waiter.WaitForExitAsync();
        await t.Run("get", "mylock", "--prefix", "--keys-only");
    });

    [Fact]
    public async Task ElectPrintsTheLeaderAndObservesProposals() => await Same(async t =>
    {
        await using var observer = t.Start("elect", "-l", "myelection");
        await using var leader = t.Start("elect", "myelection", "first");
        await leader.WaitForAsync(o => o.Contains("first", StringComparison.Ordinal));
        await observer.WaitForAsync(o => o.Contains("first", StringComparison.Ordinal));
        t.Record("elect myelection first", leader.Stdout);
        await using var follower = t.Start("elect", "myelection", "second");
        await t.Poll(["get", "myelection", "--prefix", "--keys-only"], o => Regex.Count(o, "myelection/") == 2);
        Terminate(leader);
        await follower.WaitForAsync(o => o.Contains("second", StringComparison.Ordinal));
        await observer.WaitForAsync(o => o.Contains("second", StringComparison.Ordinal));
        t.Record("elect myelection second", follower.Stdout);
        t.Record("elect -l myelection", observer.Stdout);
    });

    private static string LeaseId(CommandResult granted) =>
        LeaseIdPattern().Match(granted.Stdout) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException(granted.ToString());

    /// <summary>etcdctl lets go of its lock, lease or candidacy on SIGTERM (a kill would leave the lease to expire).</summary>
    private static void Terminate(RunningEtcdctl running)
    {
        using var kill = Process.Start("kill", ["-TERM", running.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    [GeneratedRegex("lease ([0-9a-f]+) granted")]
    private static partial Regex LeaseIdPattern();

    [GeneratedRegex(@"remaining\(\d+s\)")]
    private static partial Regex Remaining();

    [GeneratedRegex(@"attached keys\(\[([^\]]*)\]\)")]
    private static partial Regex AttachedKeys();

    /// <summary>
    /// etcd collects a lease's keys from a Go map, so their order changes from run to run;
    /// only the set is part of the contract.
    /// </summary>
    private static string SortAttachedKeys(string text) => AttachedKeys().Replace(text, m =>
    {
        var keys = m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(keys, StringComparer.Ordinal);
        return "attached keys([" + string.Join(' ', keys) + "])";
    });

    /// <summary>Every command of a script against one member, with its normalized output.</summary>
    private sealed class Transcript(EtcdProcess member)
    {
        private readonly StringBuilder _text = new();
        private readonly Etcdctl _etcdctl = new(member.Endpoint, Binaries.OfficialEtcdctl);

        public string Text => _text.ToString();

        public Task<CommandResult> Run(params string[] args) => Run(args, null);

        public async Task<CommandResult> Run(string[] args, string? stdin)
        {
            var result = await _etcdctl.RunAsync(args, stdin);
            Record(string.Join(' ', args), result.ToString());
            return result;
        }

        /// <summary>Repeats a command until its output satisfies <paramref name="done"/>; records the last one.</summary>
        public async Task Poll(string[] args, Func<string, bool> done)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var result = await _etcdctl.RunAsync(args);
                if (done(result.ToString()))
                {
                    Record("(polled) " + string.Join(' ', args), result.ToString());
                    return;
                }
                if (deadline.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException(result.ToString());
                await Task.Delay(100);
            }
        }

        /// <summary>A watch until its output mentions <paramref name="until"/>, recorded; then stopped.</summary>
        public async Task Watch(string until, params string[] args)
        {
            await using var watch = Start(args);
            await watch.WaitForAsync(o => o.Contains(until, StringComparison.Ordinal) || watch.HasExited);
            if (watch.HasExited) await watch.WaitForExitAsync();
            Record(string.Join(' ', args), watch.Stdout + "--- stderr\n" + watch.Stderr);
        }

        public RunningEtcdctl Start(params string[] args) => RunningEtcdctl.Start(member.Endpoint, args);

        public void Record(string step, string output)
        {
            var normalized = OutputNormalizer.Normalize($"$ etcdctl {step}\n{output}\n", member.ClientPort, member.PeerPort);
            _text.Append(SortAttachedKeys(Remaining().Replace(normalized, "remaining(Ns)")));
        }
    }
}
