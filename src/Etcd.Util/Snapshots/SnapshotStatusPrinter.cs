using System.Globalization;
using System.Text;
using Etcd.Server.Snapshots;

namespace Etcd.Util.Snapshots;

/// <summary>snapshot status output in etcdctl 3.4's formats: simple, table, json, fields.</summary>
public static class SnapshotStatusPrinter
{
    public static readonly string[] Formats = ["simple", "table", "json", "fields"];

    public static string Format(SnapshotStatus status, string format)
    {
        string[] header = ["HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"];
        string[] row =
        [
            status.Hash.ToString("x", CultureInfo.InvariantCulture),
            status.Revision.ToString(CultureInfo.InvariantCulture),
            status.TotalKey.ToString(CultureInfo.InvariantCulture),
            ByteSize.Humanize(status.TotalSize),
        ];
        return format switch
        {
            "simple" => string.Join(", ", row) + "\n",
            "json" => string.Create(CultureInfo.InvariantCulture,
                $"{{\"hash\":{status.Hash},\"revision\":{status.Revision},\"totalKey\":{status.TotalKey},\"totalSize\":{status.TotalSize}}}\n"),
            "fields" => string.Create(CultureInfo.InvariantCulture,
                $"\"Hash\" : {status.Hash}\n\"Revision\" : {status.Revision}\n\"Keys\" : {status.TotalKey}\n\"Size\" : {status.TotalSize}\n"),
            "table" => Table(header, row),
            _ => throw new UtilException($"unsupported output format: {format}"),
        };
    }

    // etcdctl's table: tablewriter with centred headers and right-aligned cells.
    private static string Table(string[] header, string[] row)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, row[i].Length)).ToArray();
        var text = new StringBuilder();
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+\n";
        text.Append(rule).Append('|');
        for (var i = 0; i < header.Length; i++)
        {
            var left = (widths[i] - header[i].Length) / 2;
            text.Append(' ').Append(' ', left).Append(header[i]).Append(' ', widths[i] - header[i].Length - left).Append(" |");
        }
        text.Append('\n').Append(rule).Append('|');
        for (var i = 0; i < row.Length; i++) text.Append(' ').Append(row[i].PadLeft(widths[i])).Append(" |");
        text.Append('\n').Append(rule);
        return text.ToString();
    }
}
