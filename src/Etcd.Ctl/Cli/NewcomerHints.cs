namespace Etcd.Ctl.Cli;

/// <summary>
/// The lines our etcdctl adds to the official tool's output (the project's deliberate differences):
/// each says where a newcomer typing the seeds' commands went wrong and how to go on. They go to
/// stderr, after or before the official tool's own text, which stays as it is.
/// </summary>
public static class NewcomerHints
{
    // The commands etcdctl has only in its v2 set (ETCDCTL_API=2): under API 3 they are unknown.
    private static readonly HashSet<string> V2Only = new(StringComparer.Ordinal)
    {
        "set", "mk", "mkdir", "setdir", "ls", "rm", "rmdir", "update", "updatedir", "exec-watch", "cluster-health", "backup",
    };

    /// <summary>After "client: response is invalid json" from an endpoint that has no /v2.</summary>
    public const string NoV2Api = "hint: the server does not serve the v2 API; etcd 3.4+ serves it only when started with --enable-v2";

    /// <summary>After "unknown flag: --version" under API 3, where the version is a command.</summary>
    public const string VersionIsACommand = "hint: under API 3 the version is a command: etcdctl version (--version is API 2's flag: ETCDCTL_API=2 etcdctl --version)";

    /// <summary>The hint for an unknown command only the v2 set has; null for any other name.</summary>
    public static string? V2OnlyCommand(string name) => V2Only.Contains(name)
        ? "hint: '" + name + "' is an API 2 command; run it as ETCDCTL_API=2 etcdctl " + name + " ... (the server needs --enable-v2)"
        : null;

    /// <summary>When a single-dash long flag (-keys-only) was read as its double-dash form.</summary>
    public static string SingleDash(string given) =>
        "hint: read " + given + " as -" + given + " (etcdctl's long flags take two dashes)";

    /// <summary>
    /// Rewrites each single-dash spelling of one of <paramref name="flags"/>' long names
    /// (-keys-only, -limit=10) into its double-dash form and names it on <paramref name="err"/>.
    /// Nothing after "--" is touched, nor a shorthand (-w), nor a dash word that is no flag's name.
    /// </summary>
    public static void ReadSingleDashLongFlags(List<string> args, FlagValues flags, Output.ConsoleOutput err)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                return;
            }

            if (arg.Length <= 2 || arg[0] != '-' || arg[1] == '-')
            {
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg[1..] : arg[1..equals];
            if (flags.Find(name) is null)
            {
                continue;
            }

            args[i] = "-" + arg;
            err.WriteLine(SingleDash(arg));
        }
    }
}
