namespace Etcd.Ctl.Cli;

/// <summary>
/// cobra's "Did you mean this?" for an unknown command: each subcommand (help aside) whose name is
/// within two edits of the typed one, ignoring case, or starts with it; in the parent's order.
/// </summary>
public static class CommandSuggestions
{
    private const int MinimumDistance = 2;

    /// <summary>The text cobra appends to "unknown command ...": empty when nothing is near.</summary>
    public static string For(CommandSpec parent, string typed)
    {
        var text = new System.Text.StringBuilder();
        foreach (CommandSpec command in parent.Subcommands)
        {
            if (command.Name == "help")
            {
                continue;
            }

            if (Distance(typed.ToLowerInvariant(), command.Name.ToLowerInvariant()) <= MinimumDistance
                || command.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            {
                text.Append('\t').Append(command.Name).Append('\n');
            }
        }

        return text.Length == 0 ? "" : "\n\nDid you mean this?\n" + text;
    }

    // Levenshtein distance: insertions, deletions and substitutions, one each.
    private static int Distance(string a, string b)
    {
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }
}
