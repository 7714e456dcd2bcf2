namespace Etcd.Ctl.V2;

/// <summary>
/// The lines our etcdctl adds to the official tool's output (the project's deliberate differences):
/// each says where a newcomer typing the seeds' commands went wrong and how to go on.
/// </summary>
public static class V2Hints
{
    /// <summary>After "client: response is invalid json" from an endpoint that has no /v2.</summary>
    public const string NoV2Api = "hint: the server does not serve the v2 API; etcd 3.4+ serves it only when started with --enable-v2";

    /// <summary>After cobra's "unknown command" for a command only the v2 set has.</summary>
    public static string V2OnlyCommand(string name) =>
        "hint: '" + name + "' is an API 2 command; run it as ETCDCTL_API=2 etcdctl " + name + " ... (the server needs --enable-v2)";

    /// <summary>When a single-dash long flag (-keys-only) was read as its double-dash form.</summary>
    public static string SingleDash(string given) =>
        "hint: read " + given + " as -" + given + " (etcdctl's long flags take two dashes)";
}
