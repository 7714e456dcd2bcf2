using Etcd.Ctl.Cli;

namespace Etcd.Ctl.Commands.Check;

/// <summary>etcdctl's "check" group: perf and datascale.</summary>
public static class CheckCommand
{
    public static CommandSpec Create() => new()
    {
        Name = "check",
        Use = "check <subcommand>",
        Short = "commands for checking properties of the etcd cluster",
        Subcommands = [CheckPerf.Create(), CheckDatascale.Create()],
    };

    internal static FlagSpec[] Flags(string what, string prefix) =>
    [
        FlagSpec.String("load", "s", "The " + what + " check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge)"),
        FlagSpec.String("prefix", prefix, "The prefix for writing the " + what + " check's keys."),
        FlagSpec.Bool("auto-compact", "Compact storage with last revision after test is finished."),
        FlagSpec.Bool("auto-defrag", "Defragment storage after test is finished."),
    ];

    /// <summary>The model name for --load (etcdctl accepts the long names too), or exit 4.</summary>
    internal static string Model(string load) => load switch
    {
        "s" or "small" => "s",
        "m" or "medium" => "m",
        "l" or "large" => "l",
        "xl" or "xLarge" => "xl",
        _ => throw new CtlExitException(ExitCode.BadFeature, "unknown load option " + load),
    };
}
