using System.Text;

namespace Etcd.Raft.Tests.Interaction;

/// <summary>
/// A test script: commands, each followed by "----" and the output it must produce, cases separated
/// by blank lines. Lines starting with '#' before a command are comments.
/// </summary>
internal sealed class ScriptFile
{
    private ScriptFile(List<ScriptCase> cases) => Cases = cases;

    public List<ScriptCase> Cases { get; }

    public static ScriptFile Parse(string text)
    {
        var cases = new List<ScriptCase>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int i = 0;
        while (i < lines.Length)
        {
            var comments = new List<string>();
            while (i < lines.Length && (lines[i].Length == 0 || lines[i].StartsWith('#')))
            {
                if (lines[i].StartsWith('#'))
                {
                    comments.Add(lines[i]);
                }

                i++;
            }

            if (i >= lines.Length)
            {
                break;
            }

            string command = lines[i++];
            if (i >= lines.Length || lines[i] != "----")
            {
                throw new FormatException($"line {i + 1}: expected ---- after '{command}'");
            }

            i++;
            var expected = new StringBuilder();
            while (i < lines.Length && lines[i].Length > 0)
            {
                expected.Append(lines[i++]).Append('\n');
            }

            cases.Add(new ScriptCase(comments, command, expected.ToString()));
        }

        return new ScriptFile(cases);
    }

    /// <summary>The script with each case's expected output replaced by what actually happened.</summary>
    public static string Render(IEnumerable<(ScriptCase Case, string Actual)> results)
    {
        var text = new StringBuilder();
        foreach (var (c, actual) in results)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            foreach (string comment in c.Comments)
            {
                text.Append(comment).Append('\n');
            }

            text.Append(c.Command).Append("\n----\n").Append(actual);
        }

        return text.ToString();
    }
}

internal sealed record ScriptCase(List<string> Comments, string Command, string Expected);
