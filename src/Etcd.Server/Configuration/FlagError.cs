namespace Etcd.Server.Configuration;

/// <summary>
/// A command line etcd refuses. Go's flag package prints the message and the usage and exits 2;
/// checks after parsing (stray arguments, conflicting values) exit 1.
/// </summary>
public sealed class FlagError(string message, int exitCode, bool printUsage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public bool PrintUsage { get; } = printUsage;
}
