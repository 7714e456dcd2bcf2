namespace Etcd.Util;

/// <summary>An operation refused or failed with the message etcd's tools print after "Error: ".</summary>
public sealed class UtilException(string message, int exitCode = 1, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>etcdctl's exit codes: 1 for an error, 128 for bad arguments.</summary>
    public int ExitCode { get; } = exitCode;
}
