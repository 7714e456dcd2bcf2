using System.Globalization;

namespace Etcd.Server.Snapshots;

/// <summary>Sizes as etcd prints them in logs and tools (go-humanize's Bytes: SI units, "1.2 MB", "512 B").</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

    public static string Humanize(long bytes)
    {
        if (bytes < 10) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        var exponent = Math.Floor(Math.Log(bytes) / Math.Log(1000));
        var value = Math.Floor(bytes / Math.Pow(1000, exponent) * 10 + 0.5) / 10;
        var format = value < 10 ? "0.0" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[(int)exponent];
    }
}
