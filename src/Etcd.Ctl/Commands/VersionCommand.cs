using Etcd.Ctl.Cli;

namespace Etcd.Ctl.Commands;

/// <summary>version: the etcdctl release and API level this build matches.</summary>
public static class VersionCommand
{
    /// <summary>The etcdctl release whose behaviour this build reproduces.</summary>
    public const string Version = "3.5.17";

    public const string ApiVersion = "3.5";

    public static CommandSpec Create() => new()
    {
        Name = "version",
        Use = "version",
        Short = "Prints the version of etcdctl",
        Run = invocation =>
        {
            invocation.Out.WriteLine("etcdctl version: " + Version);
            invocation.Out.WriteLine("API version: " + ApiVersion);
            return Task.CompletedTask;
        },
    };
}
