using System.Text;

namespace Etcd.Ctl.Text;

/// <summary>
/// Go's text/tabwriter as etcdctl's help uses it (minwidth 0, tabwidth 8, padding 1, padding
/// with tabs): tab-terminated cells in consecutive lines form columns padded to a common width.
/// </summary>
public static class GoTabWriter
{
    private const int TabWidth = 8;
    private const int Padding = 1;

    public static string Format(string text)
    {
        // Cells of each line; the text after the last tab is a trailing cell outside any column.
        string[] rawLines = text.Split('\n');
        var lines = new List<string[]>(rawLines.Length);
        foreach (string raw in rawLines)
        {
            lines.Add(raw.Split('\t'));
        }

        var output = new StringBuilder(text.Length * 2);
        var widths = new List<int>();
        FormatBlock(lines, widths, 0, lines.Count, output);
        return output.ToString();
    }

    private static void FormatBlock(List<string[]> lines, List<int> widths, int line0, int line1, StringBuilder output)
    {
        int column = widths.Count;
        for (int current = line0; current < line1; current++)
        {
            if (column >= lines[current].Length - 1)
            {
                continue;
            }

            WriteLines(lines, widths, line0, current, output);
            line0 = current;
            int width = 0;
            for (; current < line1; current++)
            {
                string[] cells = lines[current];
                if (column >= cells.Length - 1)
                {
                    break;
                }

                width = Math.Max(width, CellWidth(cells[column]) + Padding);
            }

            widths.Add(width);
            FormatBlock(lines, widths, line0, current, output);
            widths.RemoveAt(widths.Count - 1);
            line0 = current;
            current--;
        }

        WriteLines(lines, widths, line0, line1, output);
    }

    private static void WriteLines(List<string[]> lines, List<int> widths, int from, int to, StringBuilder output)
    {
        for (int i = from; i < to; i++)
        {
            string[] cells = lines[i];
            for (int j = 0; j < cells.Length; j++)
            {
                output.Append(cells[j]);
                if (j < widths.Count && j < cells.Length - 1)
                {
                    int cellWidth = (widths[j] + TabWidth - 1) / TabWidth * TabWidth;
                    int padding = cellWidth - CellWidth(cells[j]);
                    output.Append('\t', (padding + TabWidth - 1) / TabWidth);
                }
            }

            if (i + 1 < lines.Count)
            {
                output.Append('\n');
            }
        }
    }

    private static int CellWidth(string cell)
    {
        int width = 0;
        foreach (Rune _ in cell.EnumerateRunes())
        {
            width++;
        }

        return width;
    }
}
