using System.Globalization;
using System.Text;

namespace Etcd.Api.Text;

/// <summary>
/// Go's time.Duration text form ("2s", "1m30s", "500ms"): etcd's and etcdctl's duration flags,
/// and the durations etcd prints and logs. One implementation for the server and the tools.
/// </summary>
public static class GoDuration
{
    private const long TicksPerMicrosecond = 10;

    /// <summary>Parses like Go's time.ParseDuration; false on bad input.</summary>
    public static bool TryParse(string text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses like Go's time.ParseDuration; returns false with Go's error text on bad input.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        string s = text;
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            error = "time: invalid duration " + Quote(text);
            return false;
        }

        double totalNanoseconds = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                error = "time: invalid duration " + Quote(text);
                return false;
            }

            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            string unit = s[unitStart..i];
            double scale = unit switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                _ => double.NaN,
            };
            if (unit.Length == 0)
            {
                error = "time: missing unit in duration " + Quote(text);
                return false;
            }

            if (double.IsNaN(scale))
            {
                error = "time: unknown unit " + Quote(unit) + " in duration " + Quote(text);
                return false;
            }

            totalNanoseconds += number * scale;
        }

        long ticks = (long)(totalNanoseconds / 100);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats like Go's Duration.String ("2s", "1m30s", "1.5ms", "0s").</summary>
    public static string Format(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (ticks < 0)
        {
            sb.Append('-');
            ticks = -ticks;
        }

        // Below one second Go picks the largest unit that keeps the integer part non-zero.
        if (ticks < TimeSpan.TicksPerSecond)
        {
            long nanoseconds = ticks * 100;
            if (nanoseconds < 1000)
            {
                return sb.Append(nanoseconds.ToString(CultureInfo.InvariantCulture)).Append("ns").ToString();
            }

            if (ticks < TimeSpan.TicksPerMillisecond)
            {
                AppendFraction(sb, ticks, TicksPerMicrosecond);
                return sb.Append("µs").ToString();
            }

            AppendFraction(sb, ticks, TimeSpan.TicksPerMillisecond);
            return sb.Append("ms").ToString();
        }

        long hours = ticks / TimeSpan.TicksPerHour;
        long minutes = ticks / TimeSpan.TicksPerMinute % 60;
        long secondTicks = ticks % TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        AppendFraction(sb, secondTicks, TimeSpan.TicksPerSecond);
        return sb.Append('s').ToString();
    }

    // Integer part, then the fraction with trailing zeros removed, as Go prints it.
    private static void AppendFraction(StringBuilder sb, long ticks, long unit)
    {
        sb.Append((ticks / unit).ToString(CultureInfo.InvariantCulture));
        long remainder = ticks % unit;
        if (remainder == 0)
        {
            return;
        }

        int digits = (int)Math.Round(Math.Log10(unit));
        string fraction = remainder.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
        // A tick is 100ns, so append the two sub-tick digits Go would print before trimming.
        fraction = (fraction + "00").TrimEnd('0');
        sb.Append('.').Append(fraction);
    }

    private static string Quote(string s) => "\"" + s + "\"";
}
