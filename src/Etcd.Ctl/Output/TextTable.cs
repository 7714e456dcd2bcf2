namespace Etcd.Ctl.Output;

/// <summary>
/// The bordered tables etcdctl prints with -w table (olekukonko/tablewriter with right-aligned
/// cells): upper-case centred headers, cells wider than 30 columns wrapped at spaces.
/// </summary>
public sealed class TextTable
{
    private const int WrapWidth = 30;
    private readonly List<string[]> _header;
    private readonly List<List<string[]>> _rows = [];
    private readonly List<int> _widths = [];

    public TextTable(IReadOnlyList<string> header)
    {
        _header = [];
        for (int i = 0; i < header.Count; i++)
        {
            _header.Add(Measure(i, header[i]));
        }
    }

    public void Append(IReadOnlyList<string> row)
    {
        var cells = new List<string[]>(row.Count);
        for (int i = 0; i < row.Count; i++)
        {
            cells.Add(Measure(i, row[i]));
        }

        _rows.Add(cells);
    }

    public void Render(ConsoleOutput output)
    {
        string border = Border();
        output.WriteLine(border);
        int headerHeight = MaxHeight(_header);
        for (int line = 0; line < headerHeight; line++)
        {
            var text = new System.Text.StringBuilder("|");
            for (int col = 0; col < _widths.Count; col++)
            {
                string cell = col < _header.Count && line < _header[col].Length ? _header[col][line] : "";
                text.Append(' ').Append(Center(Title(cell), _widths[col])).Append(" |");
            }

            output.WriteLine(text.ToString());
        }

        output.WriteLine(border);
        foreach (List<string[]> row in _rows)
        {
            int height = MaxHeight(row);
            for (int line = 0; line < height; line++)
            {
                var text = new System.Text.StringBuilder();
                for (int col = 0; col < row.Count; col++)
                {
                    // Shorter cells are filled with two-space lines, as tablewriter does.
                    string cell = line < row[col].Length ? row[col][line] : "  ";
                    text.Append("| ").Append(cell.PadLeft(_widths[col])).Append(' ');
                }

                output.WriteLine(text.Append('|').ToString());
            }
        }

        output.WriteLine(border);
    }

    private string Border()
    {
        var text = new System.Text.StringBuilder("+");
        foreach (int width in _widths)
        {
            text.Append('-', width + 2).Append('+');
        }

        return text.ToString();
    }

    private static int MaxHeight(List<string[]> cells)
    {
        int height = 0;
        foreach (string[] cell in cells)
        {
            height = Math.Max(height, cell.Length);
        }

        return height;
    }

    // Splits a cell into display lines and widens its column to fit them.
    private string[] Measure(int column, string value)
    {
        string[] paragraphs = value.Split('\n');
        int maxWidth = 0;
        foreach (string p in paragraphs)
        {
            maxWidth = Math.Max(maxWidth, p.Length);
        }

        maxWidth = Math.Min(maxWidth, WrapWidth);
        int newMaxWidth = maxWidth;
        var lines = new List<string>();
        for (int i = 0; i < paragraphs.Length; i++)
        {
            if (i > 0)
            {
                lines.Add(" ");
            }

            foreach (string line in WordWrap.Wrap(paragraphs[i], maxWidth))
            {
                newMaxWidth = Math.Max(newMaxWidth, line.Length);
                lines.Add(line);
            }
        }

        while (_widths.Count <= column)
        {
            _widths.Add(0);
        }

        if (_widths[column] < newMaxWidth || _widths[column] == 0)
        {
            _widths[column] = newMaxWidth;
        }

        return [.. lines];
    }

    private static string Center(string s, int width)
    {
        int gap = width - s.Length;
        if (gap <= 0)
        {
            return s;
        }

        int left = gap / 2;
        return new string(' ', left) + s + new string(' ', gap - left);
    }

    // Header text: underscores become spaces, trimmed, upper case.
    private static string Title(string name)
    {
        string title = name.Replace('_', ' ').Trim();
        if (title.Length == 0 && name.Length > 0)
        {
            title = " ";
        }

        return title.ToUpperInvariant();
    }
}
