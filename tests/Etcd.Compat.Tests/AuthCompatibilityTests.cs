namespace Etcd.Compat.Tests;

/// <summary>
/// Users, roles, permissions and auth enable/disable through the official etcdctl against
/// reference etcd 3.4 and ours: every step must print the same bytes and exit with the same code,
/// errors included, with and without credentials.
/// </summary>
public sealed class AuthCompatibilityTests : IAsyncLifetime
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

    private async Task<CommandResult> Same(string[] args, string? stdin = null)
    {
        var expected = await new Etcdctl(_reference.Endpoint, Binaries.OfficialEtcdctl).RunAsync(args, stdin);
        var actual = await new Etcdctl(_ours.Endpoint, Binaries.OfficialEtcdctl).RunAsync(args, stdin);
        var step = "etcdctl " + string.Join(' ', args);
        var want = Normalized(expected, _reference);
        var got = Normalized(actual, _ours);
        Assert.True(want == got, $"{step}\n=== reference etcd (normalized)\n{want}\n=== ours (normalized)\n{got}");
        return actual;
    }

    // etcdctl's snapshot logger writes its time stamps as numbers.
    private static string Normalized(CommandResult result, EtcdProcess member) =>
        SortLogRuns(System.Text.RegularExpressions.Regex.Replace(OutputNormalizer.Normalize(result.ToString(), member.ClientPort, member.PeerPort), "\"ts\":[0-9.e+]+", "\"ts\":\"T\""));

    /// <summary>
    /// Sorts each run of consecutive log lines: etcdctl logs from more than one goroutine (snapshot
    /// save's "fetching snapshot" and its stream reader's warning come in either order, with
    /// either server).
    /// </summary>
    private static string SortLogRuns(string text)
    {
        var lines = text.Split('\n');
        for (var start = 0; start < lines.Length;)
        {
            var end = start;
            while (end < lines.Length && lines[end].StartsWith("{\"level\":", StringComparison.Ordinal)) end++;
            if (end > start + 1) Array.Sort(lines, start, end - start, StringComparer.Ordinal);
            start = Math.Max(end, start + 1);
        }
        return string.Join('\n', lines);
    }

    [Fact]
    public async Task UsersRolesAndPermissionsPrintWhatEtcdPrints()
    {
        Assert.Equal("User root created\n", (await Same(["user", "add", "root:rootpw"])).Stdout);
        Assert.NotEqual(0, (await Same(["user", "add", "root:again"])).ExitCode);
        await Same(["role", "add", "r1"]);
        await Same(["role", "add", "r1"]);
        await Same(["role", "add", "r2"]);
        await Same(["role", "list"]);
        await Same(["role", "grant-permission", "r1", "readwrite", "foo"]);
        await Same(["role", "grant-permission", "r1", "read", "--prefix", "pre/"]);
        await Same(["role", "grant-permission", "r1", "write", "--from-key", "z"]);
        await Same(["role", "grant-permission", "r1", "read", "a", "b"]);
        await Same(["role", "grant-permission", "r1", "readwrite", "a", "b"]);
        await Same(["role", "grant-permission", "missing", "read", "a"]);
        await Same(["role", "get", "r1"]);
        await Same(["role", "get", "r1", "-w", "json"]);
        await Same(["role", "revoke-permission", "r1", "a", "b"]);
        await Same(["role", "revoke-permission", "r1", "nothing"]);
        await Same(["role", "revoke-permission", "missing", "a"]);
        await Same(["role", "get", "r1"]);
        await Same(["role", "get", "missing"]);

        await Same(["user", "add", "alice:alicepw"]);
        await Same(["user", "grant-role", "alice", "r1"]);
        await Same(["user", "grant-role", "alice", "r2"]);
        await Same(["user", "grant-role", "alice", "missing"]);
        await Same(["user", "grant-role", "ghost", "r1"]);
        await Same(["user", "get", "alice"]);
        await Same(["user", "get", "alice", "--detail"]);
        await Same(["user", "get", "ghost"]);
        await Same(["user", "revoke-role", "alice", "r2"]);
        await Same(["user", "revoke-role", "alice", "r2"]);
        await Same(["user", "passwd", "alice", "--interactive=false"], "newpw\n");
        await Same(["user", "passwd", "ghost", "--interactive=false"], "x\n");
        await Same(["user", "add", "bob:bobpw"]);
        await Same(["user", "add", "nopass", "--no-password"]);
        await Same(["user", "list"]);
        await Same(["user", "list", "-w", "json"]);
        await Same(["user", "delete", "bob"]);
        await Same(["user", "delete", "bob"]);
        await Same(["role", "delete", "r2"]);
        await Same(["role", "delete", "r2"]);
        await Same(["user", "list"]);
    }

    [Fact]
    public async Task EnabledAuthChecksCredentialsAndPermissionsAsEtcdDoes()
    {
        await Same(["auth", "enable"]);
        await Same(["user", "add", "root:rootpw"]);
        await Same(["role", "add", "r1"]);
        await Same(["role", "grant-permission", "r1", "readwrite", "foo"]);
        await Same(["role", "grant-permission", "r1", "read", "--prefix", "pre/"]);
        await Same(["user", "add", "alice:alicepw"]);
        await Same(["user", "grant-role", "alice", "r1"]);
        await Same(["put", "pre/1", "one"]);
        // etcdctl grants root the root role itself when the server says it lacks it.
        var enabled = await Same(["auth", "enable"]);
        Assert.True(enabled.Stdout == "Authentication Enabled\n", enabled.ToString());
        await Same(["auth", "enable"]);
        await Same(["--user", "root:rootpw", "auth", "enable"]);

        Assert.Contains("etcdserver: user name is empty", (await Same(["put", "foo", "anonymous"])).Stderr);
        await Same(["get", "foo"]);
        await Same(["--user", "root:rootpw", "put", "foo", "bar"]);
        await Same(["--user", "root:rootpw", "get", "foo"]);
        await Same(["--user", "alice:alicepw", "get", "foo"]);
        Assert.Equal("OK\n", (await Same(["--user", "alice:alicepw", "put", "foo", "alice"])).Stdout);
        Assert.Contains("etcdserver: permission denied", (await Same(["--user", "alice:alicepw", "put", "nope", "v"])).Stderr);
        await Same(["--user", "alice:alicepw", "get", "pre/", "--prefix"]);
        await Same(["--user", "alice:alicepw", "put", "pre/2", "v"]);
        await Same(["--user", "alice:alicepw", "get", "", "--from-key"]);
        await Same(["--user", "alice:alicepw", "del", "foo"]);
        await Same(["--user", "alice:wrong", "get", "foo"]);
        await Same(["--user", "ghost:pw", "get", "foo"]);
        await Same(["--user", "alice:alicepw", "user", "list"]);
        await Same(["--user", "alice:alicepw", "user", "get", "alice"]);
        await Same(["--user", "alice:alicepw", "role", "get", "r1"]);
        await Same(["--user", "alice:alicepw", "role", "get", "root"]);
        await Same(["--user", "alice:alicepw", "auth", "disable"]);
        // Watches the caller may not read are cancelled at once, with the reason.
        await Same(["--user", "alice:alicepw", "watch", "nope"]);
        await Same(["watch", "foo"]);
        // Maintenance and membership are for root only.
        await Same(["--user", "alice:alicepw", "endpoint", "hashkv"]);
        await Same(["--user", "alice:alicepw", "defrag"]);
        await Same(["--user", "alice:alicepw", "member", "add", "x", "--peer-urls", "http://127.0.0.1:1"]);
        await Same(["--user", "alice:alicepw", "snapshot", "save", Path.Combine(Path.GetTempPath(), $"auth-{Guid.NewGuid():N}.db")]);
        await Same(["--user", "root:rootpw", "user", "list"]);
        await Same(["--user", "root:rootpw", "user", "delete", "root"]);
        await Same(["--user", "root:rootpw", "role", "delete", "root"]);
        await Same(["--user", "root:rootpw", "user", "revoke-role", "root", "root"]);
        await Same(["--user", "root:rootpw", "user", "revoke-role", "alice", "r1"]);
        await Same(["--user", "alice:alicepw", "get", "foo"]);
        await Same(["--user", "root:rootpw", "auth", "disable"]);
        await Same(["get", "foo"]);
        await Same(["--user", "alice:alicepw", "put", "foo", "after"]);
        await Same(["auth", "disable"]);
    }

    [Fact]
    public async Task PermissionsHoldOnTxnLockElectionAndRangesAsInEtcd()
    {
        await Same(["user", "add", "root:rootpw"]);
        await Same(["role", "add", "r1"]);
        await Same(["role", "grant-permission", "r1", "readwrite", "foo"]);
        await Same(["role", "grant-permission", "r1", "write", "--from-key", "w"]);
        await Same(["role", "grant-permission", "r1", "readwrite", "--prefix", "lk/"]);
        await Same(["role", "grant-permission", "r1", "read", "a", "c"]);
        await Same(["user", "add", "alice:alicepw"]);
        await Same(["user", "grant-role", "alice", "r1"]);
        await Same(["user", "grant-role", "root", "root"]);
        await Same(["auth", "enable"]);
        await Same(["--user", "root:rootpw", "put", "foo", "bar"]);
        await Same(["--user", "root:rootpw", "put", "b", "inside"]);
        string[] alice = ["--user", "alice:alicepw"];

        // A write grant from a key on: every key after it, none before, and no reads.
        await Same([.. alice, "put", "w", "v"]);
        await Same([.. alice, "put", "zzz", "v"]);
        await Same([.. alice, "put", "v", "v"]);
        await Same([.. alice, "get", "w"]);
        await Same([.. alice, "del", "w", "--from-key"]);
        // A read grant of [a, c): ranges inside it, not beyond.
        await Same([.. alice, "get", "a", "c"]);
        await Same([.. alice, "get", "b"]);
        await Same([.. alice, "get", "a", "d"]);
        await Same([.. alice, "get", "b", "--prefix"]);
        await Same([.. alice, "get", "a", "--from-key"]);
        // A transaction is checked as a whole: every compare and every branch.
        await Same([.. alice, "txn"], "value(\"foo\") = \"bar\"\n\nput foo x\n\nput foo y\n\n");
        await Same([.. alice, "txn"], "value(\"foo\") = \"x\"\n\nput foo z\n\nput nope y\n\n");
        await Same([.. alice, "txn"], "value(\"nope\") = \"x\"\n\nput foo z\n\n\n");
        await Same([.. alice, "txn"], "value(\"foo\") = \"x\"\n\nget b\n\nget w\n\n");
        await Same([.. alice, "get", "foo"]);
        // Lock and election write their keys under the name: allowed under lk/, refused elsewhere.
        await Same([.. alice, "lock", "lk", "echo", "held"]);
        await Same([.. alice, "lock", "other", "echo", "held"]);
        await Same([.. alice, "elect", "el", "proposal"]);
        // Watches of ranges are checked as ranges.
        await Same([.. alice, "watch", "a", "d"]);
        await Same([.. alice, "watch", "w", "--prefix"]);
        // Alarms, leadership and auth changes are root's.
        await Same([.. alice, "alarm", "list"]);
        await Same([.. alice, "alarm", "disarm"]);
        await Same([.. alice, "move-leader", "1"]);
        await Same([.. alice, "role", "add", "r2"]);
        await Same([.. alice, "role", "grant-permission", "r1", "readwrite", "nope"]);
        await Same(["--user", "root:rootpw", "auth", "disable"]);
    }
}
