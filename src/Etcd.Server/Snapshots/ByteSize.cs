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
        // Go's %.0f rounds a half to even (20.5 kB prints as "20 kB"); .NET's "0" would round it up.
        var text = value < 10
            ? value.ToString("0.0", CultureInfo.InvariantCulture)
            : Math.Round(value, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture);
        return text + " " + Units[(int)exponent];
    }
}
