namespace Etcd.Ctl.Cli;

/// <summary>
/// One node of the command tree (like a cobra.Command): its name and help, the flags it defines,
/// the flags it passes down to its subcommands, and what it runs.
/// </summary>
public sealed class CommandSpec
{
    public required string Name { get; init; }

    /// <summary>The one-line usage, e.g. "get [options] &lt;key&gt; [range_end]".</summary>
    public required string Use { get; init; }

    public required string Short { get; init; }

    public string? Long { get; init; }

    public IReadOnlyList<FlagSpec> Flags { get; init; } = [];

    /// <summary>Flags this command and all its descendants accept (cobra's persistent flags).</summary>
    public IReadOnlyList<FlagSpec> PersistentFlags { get; init; } = [];

    public IReadOnlyList<CommandSpec> Subcommands { get; init; } = [];

    /// <summary>Null for a pure grouping command, which only prints its help.</summary>
    public Func<Invocation, Task>? Run { get; init; }

    public CommandSpec? Parent { get; private set; }

    /// <summary>Links children to parents; call once on the root after building the tree.</summary>
    public CommandSpec Seal()
    {
        foreach (CommandSpec child in Subcommands)
        {
            child.Parent = this;
            child.Seal();
        }

        return this;
    }

    /// <summary>"etcdctl member list" for the list command.</summary>
    public string Path => Parent is null ? Name : Parent.Path + " " + Name;

    /// <summary>Persistent flags of every ancestor, nearest first.</summary>
    public IEnumerable<FlagSpec> InheritedFlags
    {
        get
        {
            for (CommandSpec? c = Parent; c is not null; c = c.Parent)
            {
                foreach (FlagSpec flag in c.PersistentFlags)
                {
                    yield return flag;
                }
            }
        }
    }

    /// <summary>The subcommand named exactly, else the only one the name is a prefix of (cobra's prefix matching).</summary>
    public CommandSpec? FindSubcommand(string name)
    {
        CommandSpec? prefixMatch = null;
        int prefixMatches = 0;
        foreach (CommandSpec child in Subcommands)
        {
            if (child.Name == name)
            {
                return child;
            }

            if (child.Name.StartsWith(name, StringComparison.Ordinal))
            {
                prefixMatch = child;
                prefixMatches++;
            }
        }

        return prefixMatches == 1 ? prefixMatch : null;
    }
}
