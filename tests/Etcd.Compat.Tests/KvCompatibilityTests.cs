namespace Etcd.Compat.Tests;

/// <summary>
/// The same etcdctl commands against reference etcd 3.4 and against ours, step by step: the
/// official etcdctl must print the same bytes and exit with the same code for both.
/// </summary>
public sealed class KvCompatibilityTests : IAsyncLifetime
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
        var step = "etcdctl " + string.Join(' ', args) + (stdin is null ? "" : $" <<< {stdin}");
        var want = Normalized(expected, _reference);
        var got = Normalized(actual, _ours);
        Assert.True(want == got, $"{step}\n=== reference etcd (normalized)\n{Visible(want)}\n=== ours (normalized)\n{Visible(got)}");
        return actual;
    }

    // Control characters shown, so that a difference in them is visible in the failure.
    private static string Visible(string text) =>
        text.Replace("\r", "\\r").Replace("\t", "\\t");

    private static string Normalized(CommandResult result, EtcdProcess member) =>
        OutputNormalizer.Normalize(result.ToString(), member.ClientPort, member.PeerPort);

    [Fact]
    public async Task PutGetDeleteTxnAndCompactionPrintWhatEtcdPrints()
    {
        // The seeds' first session.
        Assert.Equal("OK\n", (await Same(["put", "key1", "value1"])).Stdout);
        Assert.Equal("key1\nvalue1\n", (await Same(["get", "key1"])).Stdout);

        foreach (var (key, value) in new[] { ("foo", "bar"), ("foo1", "bar1"), ("foo2", "bar2"), ("zoo", "z"), ("/registry/pods/a", "pa"), ("/registry/pods/b", "pb") })
            await Same(["put", key, value]);
        await Same(["put", "foo", "bar-again"]);

        await Same(["get", "foo", "--prefix"]);
        await Same(["get", "foo", "--prefix", "--keys-only"]);
        await Same(["get", "/", "--prefix", "--keys-only", "--limit=10"]);
        await Same(["get", "foo", "--prefix", "--limit", "2"]);
        await Same(["get", "foo1", "--from-key"]);
        await Same(["get", "foo", "--prefix", "--sort-by=VALUE", "--order=DESCEND"]);
        await Same(["get", "foo", "--prefix", "--sort-by=MODIFY", "--order=ASCEND"]);
        await Same(["get", "foo", "--prefix", "--sort-by=CREATE", "--order=DESCEND"]);
        await Same(["get", "foo", "--prefix", "--sort-by=VERSION", "--order=DESCEND"]);
        await Same(["get", "foo", "--prefix", "--print-value-only"]);
        await Same(["get", "foo", "--prefix", "--limit=1", "-w", "json"]);
        await Same(["get", "foo", "--prefix", "--count-only", "-w", "json"]);
        await Same(["get", "foo", "-w", "fields"]);
        await Same(["get", "foo", "--rev", "2"]);
        await Same(["get", "foo", "--consistency=s"]);
        await Same(["get", "missing"]);
        await Same(["get", "missing", "-w", "json"]);
        await Same(["put", "", "empty"]);
        await Same(["put", "foo", "--ignore-value", "x"]);
        await Same(["put", "nokey", "--ignore-value"]);
        await Same(["put", "foo", "v", "--prev-kv"]);

        await Same(["del", "foo1", "--prev-kv"]);
        await Same(["del", "foo", "--prefix"]);
        await Same(["del", "nothing"]);
        await Same(["get", "", "--from-key", "--keys-only"]);

        await Same(["txn"], "mod(\"key1\") > \"0\"\n\nput key1 newval\nput key2 v2\n\nget key1\n\n");
        await Same(["txn"], "value(\"key1\") = \"nope\"\n\nput key1 x\n\nget key1\nget zoo\n\n");
        await Same(["txn", "-w", "json"], "version(\"zoo\") = \"1\"\n\ndel zoo\n\n\n");
        await Same(["get", "key1", "-w", "json"]);

        await Same(["compaction", "3"]);
        await Same(["get", "key1", "--rev", "2"]);
        await Same(["get", "key1", "--rev", "1000"]);
        await Same(["compaction", "2"]);
        await Same(["compaction", "5", "--physical"]);
        await Same(["get", "key1", "--rev", "5"]);
        await Same(["endpoint", "health"]);
    }
}
