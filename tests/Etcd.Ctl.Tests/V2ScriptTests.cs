namespace Etcd.Ctl.Tests;

/// <summary>
/// The ETCDCTL_API=2 command set: one script runs with the official etcdctl against a fresh
/// reference etcd serving /v2 (--enable-v2), then with ours against a fresh one on the same ports,
/// so indexes and member ids match; every step must print the same bytes and exit the same way.
/// </summary>
public sealed class V2ScriptTests
{
    private static readonly (string[] Args, string Stdin)[] Script =
    [
        (["set", "/k1", "v1"], ""),
        (["get", "/k1"], ""),
        (["set", "/k1", "v2", "--swap-with-value", "wrong"], ""),
        (["set", "/k1", "v2", "--swap-with-value", "v1"], ""),
        (["set", "/k1", "v3", "--swap-with-index", "1"], ""),
        (["mk", "/k1", "again"], ""),
        (["mk", "/k2", "two"], ""),
        (["mk", "/q", "first", "--in-order"], ""),
        (["mkdir", "/d"], ""),
        (["mkdir", "/d"], ""),
        (["setdir", "/d2"], ""),
        (["set", "/d/inner", "x"], ""),
        (["ls", "--sort"], ""),
        (["ls", "--sort", "--recursive", "-p"], ""),
        (["ls", "/nosuch"], ""),
        (["update", "/k1", "v4"], ""),
        (["update", "/nosuch", "x"], ""),
        (["updatedir", "/d2", "--ttl", "300"], ""),
        (["updatedir", "/k1"], ""),
        (["get", "/nosuch"], ""),
        (["get", "/d"], ""),
        (["-o", "extended", "get", "/k1"], ""),
        (["-o", "json", "get", "/k1"], ""),
        (["--output", "json", "set", "/k3", "three"], ""),
        (["-o", "extended", "mkdir", "/d3"], ""),
        (["-o", "bogus", "get", "/k1"], ""),
        (["set", "/ttl", "v", "--ttl", "300"], ""),
        (["set", "/from-stdin"], "piped value\n"),
        (["get", "/from-stdin"], ""),
        (["watch", "/k1", "--after-index", "1"], ""),
        (["-o", "json", "watch", "/d", "--recursive", "--after-index", "1"], ""),
        (["rm", "/k2", "--with-value", "wrong"], ""),
        (["rm", "/k2", "--with-index", "999"], ""),
        (["rm", "/k2", "--with-value", "two"], ""),
        (["rm", "/d"], ""),
        (["rm", "--dir", "/d"], ""),
        (["rmdir", "/d3"], ""),
        (["rm", "--recursive", "/d"], ""),
        (["rm", "/nosuch"], ""),
        (["-o", "extended", "rm", "/k3"], ""),
        (["set"], ""),
        (["get"], ""),
        (["member", "list"], ""),
        // A real add gets an id made from the clock, and breaks this member's quorum: only refusals here.
        (["member", "add", "extra", "notaurl"], ""),
        (["member", "add", "extra"], ""),
        (["member", "update", "1234", "http://127.0.0.1:1"], ""),
        (["member", "remove", "1234"], ""),
        (["cluster-health"], ""),
        (["--version"], ""),
        ([], ""),
        (["help", "set"], ""),
        (["set", "--help"], ""),
        (["bogus"], ""),
    ];

    [ReferenceEtcdFact]
    public async Task V2ScriptMatchesOfficialEtcdctl()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync("--enable-v2");
        string endpoint = "http://" + etcd.Endpoint;
        var official = new List<CtlResult>();
        foreach ((string[] args, string stdin) in Script)
        {
            official.Add(await OfficialCtl.RunAsync(endpoint, args, stdin, api: "2"));
        }

        await etcd.RestartFreshAsync();
        var v2 = new Dictionary<string, string>(StringComparer.Ordinal) { ["ETCDCTL_API"] = "2" };
        for (int i = 0; i < Script.Length; i++)
        {
            CtlResult ours = await OurCtl.RunAsync(endpoint, Script[i].Args, Script[i].Stdin, v2);
            CtlComparison.AssertSame(AsEtcdctl35(official[i]), ours, Script[i].Args);
        }
    }

    // Our etcdctl is 3.5.17 (as `etcdctl version` says); the reference is 3.4.23. Only the version
    // number it prints (--version, the help page's VERSION) is allowed to differ.
    private static CtlResult AsEtcdctl35(CtlResult official)
    {
        string text = official.StdoutText;
        return text.Contains("3.4.23", StringComparison.Ordinal)
            ? official with { Stdout = System.Text.Encoding.UTF8.GetBytes(text.Replace("3.4.23", "3.5.17", StringComparison.Ordinal)) }
            : official;
    }
}
