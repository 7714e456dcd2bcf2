using System.Globalization;

namespace Etcd.Ctl.Output;

/// <summary>SI byte sizes as the go-humanize package prints them ("20 kB", "1.2 MB"), used by status tables.</summary>
public static class HumanBytes
{
    private static readonly string[] Units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

    public static string Format(ulong bytes)
    {
        if (bytes < 10)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        int exponent = (int)Math.Floor(Math.Log(bytes) / Math.Log(1000));
        double value = Math.Floor((bytes / Math.Pow(1000, exponent) * 10) + 0.5) / 10;
        // Go's %.0f and %.1f round ties to even.
        string text = value < 10
            ? Math.Round(value, 1, MidpointRounding.ToEven).ToString("0.0", CultureInfo.InvariantCulture)
            : Math.Round(value, 0, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture);
        return text + " " + Units[exponent];
    }
}
