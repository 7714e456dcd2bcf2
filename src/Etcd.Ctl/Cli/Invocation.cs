using Etcd.Ctl.Output;

namespace Etcd.Ctl.Cli;

/// <summary>Everything a command's Run needs: the resolved command, its flags and arguments, and the console.</summary>
public sealed class Invocation
{
    public required CommandSpec Command { get; init; }

    public required FlagValues Flags { get; init; }

    /// <summary>Positional arguments after flags were removed.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>The process arguments as given (watch needs to see "--").</summary>
    public required IReadOnlyList<string> RawArgs { get; init; }

    public required ConsoleOutput Out { get; init; }

    public required ConsoleOutput Err { get; init; }

    public required Func<Stream> OpenStdin { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }
}
