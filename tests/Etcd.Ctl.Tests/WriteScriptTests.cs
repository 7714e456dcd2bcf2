namespace Etcd.Ctl.Tests;

/// <summary>
/// Commands that change the store: the same script runs with the official etcdctl against a fresh
/// server and with ours against a fresh server on the same ports, so IDs and revisions match.
/// </summary>
public sealed class WriteScriptTests
{
    private static readonly (string[] Args, string Stdin)[] Script =
    [
        (["put", "a", "1"], ""),
        (["put", "a", "2", "--prev-kv"], ""),
        (["put", "a", "3", "--prev-kv", "-w", "json"], ""),
        (["put", "b", "x", "-w", "fields"], ""),
        // A zero dial timeout is no timeout (etcd's e2e tests pass it), not a crash.
        (["--dial-timeout", "0s", "put", "z", "0"], ""),
        (["put", "b", "--ignore-value"], ""),
        (["put", "nosuch", "--ignore-lease", "v"], ""),
        (["put", "from-stdin"], "line one\nline two\n"),
        (["put", "sp ace", "v v", "-w", "protobuf"], ""),
        (["put", "--", "-dash", "-value"], ""),
        (["del", "a", "--prev-kv"], ""),
        (["del", "b", "--prev-kv", "-w", "json"], ""),
        (["put", "p/1", "1"], ""),
        (["put", "p/2", "2"], ""),
        (["del", "p", "--prefix", "-w", "fields"], ""),
        (["put", "q1", "1"], ""),
        (["put", "q2", "2"], ""),
        (["del", "q1", "q3"], ""),
        (["txn"], "ver(\"c\") = \"0\"\n\nput c 1\nget c\n\nput d 1\n\n"),
        (["txn", "-w", "json"], "value(\"c\") = \"1\"\n\nput c 2 --prev-kv\ndel nosuch\n\n\n"),
        (["txn", "-i"], "value(\"c\") = \"9\"\n\n\nput e \"quoted value\"\nget e\n\n"),
        (["txn", "-w", "fields"], "mod(\"c\") > \"1\"\n\ndel c --prev-kv\n\n\n"),
        (["txn"], "\n\nput f 1\nput f 2\n\n\n"),
        (["compaction", "5"], ""),
        (["compaction", "--physical", "6"], ""),
        (["compaction", "1000"], ""),
        (["get", "a", "--rev", "3"], ""),
        (["get", "", "--from-key", "-w", "json"], ""),
        (["role", "add", "r"], ""),
        (["role", "add", "r"], ""),
        (["role", "grant-permission", "r", "readwrite", "k", "--prefix"], ""),
        (["role", "grant-permission", "r", "read", "", "--from-key", "-w", "json"], ""),
        (["user", "add", "u1", "--new-user-password", "pw"], ""),
        (["user", "add", "u2", "--interactive=false"], "secret\n"),
        (["user", "add", ":x"], ""),
        (["user", "grant-role", "u1", "r"], ""),
        (["user", "get", "u1", "-w", "json"], ""),
        (["role", "get", "r"], ""),
        (["role", "revoke-permission", "r", "k", "--prefix"], ""),
        (["role", "revoke-permission", "r", "k", "--prefix"], ""),
        (["user", "revoke-role", "u1", "r"], ""),
        (["user", "delete", "u2", "-w", "json"], ""),
        (["role", "delete", "r"], ""),
        (["user", "add", "root:rootpw"], ""),
        (["auth", "enable"], ""),
        (["get", "c"], ""),
        (["--user", "root:rootpw", "get", "d"], ""),
        (["--user", "root", "--password", "wrong", "get", "d"], ""),
        (["--user", "root:rootpw", "user", "list"], ""),
        (["--user", "root:rootpw", "auth", "disable"], ""),
        (["alarm", "disarm", "-w", "json"], ""),
        (["member", "list", "-w", "json"], ""),
    ];

    [ReferenceEtcdFact]
    public async Task MutatingScriptMatchesOfficialEtcdctl()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        var official = new List<CtlResult>();
        foreach ((string[] args, string stdin) in Script)
        {
            official.Add(await OfficialCtl.RunAsync(etcd.Endpoint, args, stdin));
        }

        await etcd.RestartFreshAsync();
        for (int i = 0; i < Script.Length; i++)
        {
            CtlResult ours = await OurCtl.RunAsync(etcd.Endpoint, Script[i].Args, Script[i].Stdin);
            CtlComparison.AssertSame(official[i], ours, Script[i].Args);
        }
    }
}
