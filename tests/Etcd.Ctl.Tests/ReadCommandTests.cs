namespace Etcd.Ctl.Tests;

/// <summary>A reference etcd seeded through the official etcdctl, shared by read-only comparisons.</summary>
public sealed class SeededEtcd : IAsyncLifetime
{
    private ReferenceEtcd? _etcd;

    public string Endpoint => _etcd!.Endpoint;

    /// <summary>Hex ID of a lease with a key attached.</summary>
    public string LeaseId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!ReferenceEtcd.Available)
        {
            return;
        }

        _etcd = await ReferenceEtcd.StartAsync();
        await Official("put", "a", "1");
        await Official("put", "a", "2");
        await Official("put", "b", "3");
        await Official("compaction", "3");
        await Official("put", "c", "hello world");
        await Official("put", "k<&>", "v\u0001\"q\té");
        await Official("put", "empty", "");
        await Official("put", "p/1", "x");
        await Official("put", "p/2", "y");
        CtlResult lease = await Official("lease", "grant", "600");
        LeaseId = lease.StdoutText.Split(' ')[1];
        await Official("put", "leased", "v", "--lease", LeaseId);
        await Official("role", "add", "r1");
        await Official("role", "grant-permission", "r1", "read", "a");
        await Official("role", "grant-permission", "r1", "readwrite", "p/", "--prefix");
        await Official("role", "grant-permission", "r1", "write", "z", "--from-key");
        await Official("role", "grant-permission", "r1", "read", "m", "n");
        await Official("user", "add", "u1:pw");
        await Official("user", "grant-role", "u1", "r1");
    }

    public async Task DisposeAsync()
    {
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    private async Task<CtlResult> Official(params string[] args)
    {
        CtlResult result = await OfficialCtl.RunAsync(Endpoint, args);
        Assert.True(result.ExitCode == 0, "seeding failed: " + string.Join(' ', args) + "\n" + result);
        return result;
    }
}

/// <summary>Read-only commands and error paths: the official etcdctl and ours against the same server state.</summary>
public sealed class ReadCommandTests(SeededEtcd etcd) : IClassFixture<SeededEtcd>
{
    public static TheoryData<string[], string> Cases => new()
    {
        { ["get", "a"], "" },
        { ["get", "a", "-w", "json"], "" },
        { ["get", "a", "-w", "fields"], "" },
        { ["get", "a", "-w", "protobuf"], "" },
        { ["get", "--prefix", ""], "" },
        { ["get", "--prefix", "", "--hex"], "" },
        { ["get", "--prefix", "", "-w", "json"], "" },
        { ["get", "--prefix", "", "-w", "fields"], "" },
        { ["get", "--from-key", "b", "--keys-only"], "" },
        { ["get", "--prefix", "p/", "--limit", "1", "-w", "json"], "" },
        { ["get", "--prefix", "", "--sort-by=VALUE", "--order=DESCEND"], "" },
        { ["get", "--prefix", "", "--sort-by", "create"], "" },
        { ["get", "--prefix", "", "--sort-by=MODIFY", "--order=ascend", "--print-value-only"], "" },
        { ["get", "a", "c"], "" },
        { ["get", "a", "--consistency=s"], "" },
        { ["get", "a", "--rev", "5"], "" },
        { ["get", "a", "--rev", "1"], "" },
        { ["get", "a", "--rev", "1000"], "" },
        { ["get", "nosuch", "-w", "json"], "" },
        { ["get"], "" },
        { ["get", "--prefix", "--from-key", "a"], "" },
        { ["get", "--prefix", "a", "b"], "" },
        { ["get", "a", "--print-value-only", "-w", "json"], "" },
        { ["compaction", "--physical=maybe", "1"], "" },
        { ["get", "a", "--order=bad"], "" },
        { ["get", "a", "--sort-by=bad"], "" },
        { ["get", "a", "-w", "bad"], "" },
        { ["get", "a", "--consistency=x"], "" },
        { ["get", "a", "-w", "table"], "" },
        { ["put"], "" },
        { ["put", "k"], "" },
        { ["put", "k", "v", "--lease", "zz"], "" },
        { ["put", "--foo"], "" },
        { ["del"], "" },
        { ["del", "nosuch"], "" },
        { ["del", "nosuch", "-w", "json"], "" },
        { ["nosuch"], "" },
        { ["compaction"], "" },
        { ["compaction", "x"], "" },
        { ["compaction", "2"], "" },
        { ["member", "list"], "" },
        { ["member", "list", "-w", "json"], "" },
        { ["member", "list", "-w", "table"], "" },
        { ["member", "list", "-w", "fields"], "" },
        { ["member", "list", "-w", "protobuf"], "" },
        { ["member", "remove"], "" },
        { ["member", "remove", "xyz"], "" },
        { ["member", "add", "n"], "" },
        { ["endpoint", "status"], "" },
        { ["endpoint", "status", "-w", "json"], "" },
        { ["endpoint", "status", "-w", "table"], "" },
        { ["endpoint", "status", "-w", "fields"], "" },
        { ["endpoint", "status", "--cluster", "-w", "table"], "" },
        { ["endpoint", "hashkv"], "" },
        { ["endpoint", "hashkv", "-w", "json"], "" },
        { ["endpoint", "hashkv", "-w", "table"], "" },
        { ["endpoint", "hashkv", "-w", "fields"], "" },
        { ["endpoint", "hashkv", "--rev", "5", "--cluster"], "" },
        { ["endpoint", "status", "-w", "protobuf"], "" },
        { ["alarm", "list"], "" },
        { ["alarm", "list", "-w", "json"], "" },
        { ["lease", "list"], "" },
        { ["lease", "list", "-w", "json"], "" },
        { ["lease", "timetolive", "1234"], "" },
        { ["lease", "timetolive", "1234", "-w", "json"], "" },
        { ["lease", "timetolive", "xyz"], "" },
        { ["lease", "grant", "x"], "" },
        { ["lease", "revoke"], "" },
        { ["user", "list"], "" },
        { ["user", "list", "-w", "json"], "" },
        { ["user", "get", "u1"], "" },
        { ["user", "get", "u1", "--detail"], "" },
        { ["user", "get", "u1", "-w", "fields"], "" },
        { ["user", "get", "nosuch"], "" },
        { ["role", "list", "-w", "fields"], "" },
        { ["role", "get", "r1"], "" },
        { ["role", "get", "r1", "-w", "json"], "" },
        { ["role", "get", "r1", "-w", "fields"], "" },
        { ["role", "grant-permission", "r1", "bad", "a"], "" },
        { ["txn"], "value(\"a\") = \"2\"\n\nget a\nget p/ --prefix\n\nget b\n\n" },
        { ["txn", "-w", "json"], "value(\"a\") = \"2\"\n\nget a\nget p/ --prefix\n\nget b\n\n" },
        { ["txn", "-w", "fields"], "mod(\"a\") > \"100\"\n\nget a\n\nget b --keys-only\nget c\n\n" },
        { ["txn", "-i"], "ver(\"a\") = \"2\"\nc(\"b\") != \"0\"\n\nget a\n\n\n" },
        { ["txn", "-w", "protobuf"], "\nget a\n\n\n" },
        { ["txn"], "value(\"a\") = \"2\"\n\nget a\n\nget b" },
        { ["txn"], "value(\"a\" = \"2\"\n\n\n\n" },
        { ["txn"], "nosuch(\"a\") = \"2\"\n\n\n\n" },
        { ["txn"], "ver(\"a\") = \"x\"\n\n\n\n" },
        { ["txn"], "value(\"a\")=\"2\"\n\n\n\n" },
        { ["txn"], "\nfoo bar\n\n\n" },
        { ["txn"], "\nget\n\n\n" },
        { ["txn", "extra"], "" },
        { ["watch"], "" },
        { ["watch", "a", "--rev", "1"], "" },
        { ["watch", "a", "--rev", "1", "-w", "json"], "" },
        { ["watch", "a", "--"], "" },
        { ["snapshot", "save"], "" },
        { ["move-leader"], "" },
        { ["move-leader", "zz"], "" },
        { ["help", "put"], "" },
        { ["put", "-h"], "" },
        { ["txn", "--help"], "" },
    };

    [ReferenceEtcdTheory]
    [MemberData(nameof(Cases))]
    public Task SameAsOfficialEtcdctl(string[] args, string stdin)
        => CtlComparison.AssertSameAsync(etcd.Endpoint, args, stdin);

    [ReferenceEtcdFact]
    public async Task LeaseTimeToLiveAgreesUpToTheTickingTtl()
    {
        foreach (string[] args in new[]
        {
            new[] { "lease", "timetolive", etcd.LeaseId, "--keys" },
            ["lease", "timetolive", etcd.LeaseId, "--keys", "-w", "json"],
            ["lease", "timetolive", etcd.LeaseId, "-w", "fields"],
        })
        {
            CtlResult official = await OfficialCtl.RunAsync(etcd.Endpoint, args);
            CtlResult ours = await OurCtl.RunAsync(etcd.Endpoint, args);
            // The remaining TTL may tick between the two runs.
            CtlComparison.AssertSame(WithoutRemainingTtl(official), WithoutRemainingTtl(ours), args);
        }
    }

    [ReferenceEtcdFact]
    public async Task UnreachableEndpointTimesOutLikeEtcdctl()
    {
        string[] args = ["--command-timeout=1s", "get", "a"];
        CtlResult official = await OfficialCtl.RunAsync("127.0.0.1:1", args);
        CtlResult ours = await OurCtl.RunAsync("127.0.0.1:1", args);
        CtlComparison.AssertSame(official, ours, args);
    }

    private static CtlResult WithoutRemainingTtl(CtlResult r)
    {
        string text = System.Text.RegularExpressions.Regex.Replace(r.StdoutText, "remaining\\(\\d+s\\)|\"ttl\":\\d+|\"TTL\" : \\d+", "<ttl>");
        return r with { Stdout = System.Text.Encoding.UTF8.GetBytes(text) };
    }
}

/// <summary>A theory that needs the reference etcd; skipped with the reason when it is missing.</summary>
public sealed class ReferenceEtcdTheoryAttribute : TheoryAttribute
{
    public ReferenceEtcdTheoryAttribute()
    {
        if (!ReferenceEtcd.Available)
        {
            Skip = "reference etcd/etcdctl not installed at " + ReferenceEtcd.BinaryPath + " and " + OfficialCtl.BinaryPath;
        }
    }
}
