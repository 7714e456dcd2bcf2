namespace Etcd.Ctl.Output;

/// <summary>
/// Minimum-raggedness word wrapping (the dynamic program tablewriter uses), so wrapped table
/// cells break at the same words etcdctl's do.
/// </summary>
public static class WordWrap
{
    private const int TooLongPenalty = 100_000;

    public static List<string> Wrap(string text, int limit)
    {
        string[] words = text.Replace('\n', ' ').Split(' ');
        foreach (string word in words)
        {
            // A word longer than the limit widens the limit (tablewriter's behaviour).
            limit = Math.Max(limit, word.Length);
        }

        int n = words.Length;
        var lengths = new int[n, n];
        for (int i = 0; i < n; i++)
        {
            lengths[i, i] = words[i].Length;
            for (int j = i + 1; j < n; j++)
            {
                lengths[i, j] = lengths[i, j - 1] + 1 + words[j].Length;
            }
        }

        var breakAt = new int[n];
        var cost = new long[n];
        Array.Fill(cost, (long)int.MaxValue);
        for (int i = n - 1; i >= 0; i--)
        {
            if (lengths[i, n - 1] <= limit)
            {
                cost[i] = 0;
                breakAt[i] = n;
                continue;
            }

            for (int j = i + 1; j < n; j++)
            {
                int slack = limit - lengths[i, j - 1];
                long c = ((long)slack * slack) + cost[j];
                if (lengths[i, j - 1] > limit)
                {
                    c += TooLongPenalty;
                }

                if (c < cost[i])
                {
                    cost[i] = c;
                    breakAt[i] = j;
                }
            }
        }

        var lines = new List<string>();
        for (int i = 0; i < n; i = breakAt[i])
        {
            lines.Add(string.Join(' ', words, i, breakAt[i] - i));
        }

        return lines;
    }
}
