namespace Etcd.Ctl.V2;

/// <summary>One v2 command (a urfave/cli Command): help texts, flags, subcommands and what it runs.</summary>
public sealed class V2Command
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public required string Usage { get; init; }

    public string ArgsUsage { get; init; } = "";

    public string Description { get; init; } = "";

    public IReadOnlyList<V2Flag> Flags { get; init; } = [];

    public IReadOnlyList<V2Command> Subcommands { get; init; } = [];

    /// <summary>Runs the command; returns the exit code. Null for a command that only groups subcommands.</summary>
    public Func<V2Context, Task<int>>? Action { get; init; }

    /// <summary>The command makes its client (and syncs) before it looks at its arguments, as etcdctl's do.</summary>
    public bool SyncsFirst { get; init; }

    public bool HasName(string name)
    {
        if (Name == name)
        {
            return true;
        }

        foreach (string alias in Aliases)
        {
            if (alias == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"backup" or "help, h", as the COMMANDS section lists it.</summary>
    public string DisplayNames => Aliases.Count == 0 ? Name : Name + ", " + string.Join(", ", Aliases);

    public V2Command? Find(string name)
    {
        foreach (V2Command command in Subcommands)
        {
            if (command.HasName(name))
            {
                return command;
            }
        }

        return null;
    }
}
