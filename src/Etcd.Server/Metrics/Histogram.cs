using System.Globalization;
using System.Text;

namespace Etcd.Server.Metrics;

/// <summary>A Prometheus histogram with fixed upper bounds; observing is lock-free and allocates nothing.</summary>
public sealed class Histogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private long _sumBits;

    public double[] Bounds => bounds;

    /// <summary>Prometheus' ExponentialBuckets(start, factor, count), the buckets etcd declares.</summary>
    public static double[] Exponential(double start, double factor, int count)
    {
        var bounds = new double[count];
        for (var i = 0; i < count; i++) bounds[i] = start * Math.Pow(factor, i);
        return bounds;
    }

    /// <summary>Prometheus' default buckets (go-grpc-prometheus' handling-time histogram uses them).</summary>
    public static readonly double[] DefaultBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public void Observe(double value)
    {
        var i = 0;
        while (i < bounds.Length && value > bounds[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        while (true)
        {
            var old = Interlocked.Read(ref _sumBits);
            var updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(old) + value);
            if (Interlocked.CompareExchange(ref _sumBits, updated, old) == old) return;
        }
    }

    public void Observe(TimeSpan elapsed) => Observe(elapsed.TotalSeconds);

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++) total += Interlocked.Read(ref _counts[i]);
            return total;
        }
    }

    /// <summary>Writes the _bucket, _sum and _count lines; <paramref name="labels"/> is "" or "a=\"b\"," style without braces.</summary>
    public void WriteTo(StringBuilder text, string name, string labels = "")
    {
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            var le = i < bounds.Length ? bounds[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
            text.Append(name).Append("_bucket{").Append(labels).Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var braces = labels.Length > 0 ? "{" + labels + "}" : "";
        text.Append(name).Append("_sum").Append(braces).Append(' ')
            .Append(BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits)).ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count").Append(braces).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
