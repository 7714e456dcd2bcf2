namespace Etcd.Ctl.Cli;

/// <summary>etcdctl's exit codes (they follow the tldp.org convention etcdctl documents).</summary>
public static class ExitCode
{
    public const int Success = 0;
    public const int Error = 1;
    public const int BadConnection = 2;
    public const int InvalidInput = 3;
    public const int BadFeature = 4;
    public const int Interrupted = 5;
    public const int IO = 6;
    public const int BadArgs = 128;
}

/// <summary>
/// Ends the command: the entry point prints "Error: " + message to stderr (when there is a message)
/// and exits with the code, as etcdctl's ExitWithError does.
/// </summary>
public sealed class CtlExitException(int code, string? message) : Exception(message)
{
    public int Code { get; } = code;

    public bool HasMessage { get; } = message is not null;
}
