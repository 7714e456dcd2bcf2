namespace Etcd.Compat.Tests;

/// <summary>The official etcdctl (v3 API) pointed at one member.</summary>
public sealed class Etcdctl(string endpoint, string binary)
{
    public Task<CommandResult> RunAsync(string[] args, string? stdin = null) =>
        ProcessRunner.RunAsync(binary, ["--endpoints", endpoint, .. args], stdin,
            new Dictionary<string, string> { ["ETCDCTL_API"] = "3" });

    public Task<CommandResult> RunAsync(params string[] args) => RunAsync(args, null);
}
