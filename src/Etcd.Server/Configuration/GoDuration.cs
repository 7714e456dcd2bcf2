using System.Globalization;

namespace Etcd.Server.Configuration;

/// <summary>Parses and prints Go's duration syntax ("1h2m3.5s", "300ms"), which etcd's flags use.</summary>
public static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Length == 0) return false;
        if (text == "0") return true;
        var span = text.AsSpan();
        var negative = false;
        if (span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }
        if (span.IsEmpty) return false;
        double totalTicks = 0;
        while (!span.IsEmpty)
        {
            var numberEnd = 0;
            while (numberEnd < span.Length && (char.IsAsciiDigit(span[numberEnd]) || span[numberEnd] == '.')) numberEnd++;
            if (numberEnd == 0) return false;
            if (!double.TryParse(span[..numberEnd], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            span = span[numberEnd..];
            var unitEnd = 0;
            while (unitEnd < span.Length && !char.IsAsciiDigit(span[unitEnd]) && span[unitEnd] != '.') unitEnd++;
            double ticksPerUnit = span[..unitEnd] switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (ticksPerUnit < 0) return false;
            totalTicks += number * ticksPerUnit;
            span = span[unitEnd..];
        }
        value = TimeSpan.FromTicks((long)(negative ? -totalTicks : totalTicks));
        return true;
    }

    /// <summary>Formats like Go's Duration.String for the values etcd logs (e.g. "1s", "900ms", "2h0m0s").</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        if (value < TimeSpan.FromSeconds(1))
        {
            var ms = value.TotalMilliseconds;
            return ms >= 1 ? ms.ToString("0.######", CultureInfo.InvariantCulture) + "ms"
                : (value.Ticks / 10.0).ToString("0.###", CultureInfo.InvariantCulture) + "µs";
        }
        var text = "";
        if (value.TotalHours >= 1) text += ((long)value.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        if (value.TotalMinutes >= 1) text += value.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
        return text + seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }
}
