using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Etcd.Server.Metrics;

/// <summary>A counter family keyed by its label text ("To=\"8e9e05c52164694d\""); a series appears on first use.</summary>
public sealed class LabeledCounters
{
    private readonly ConcurrentDictionary<string, StrongBox> _series = new(StringComparer.Ordinal);

    public void Add(string labels, long value) => Interlocked.Add(ref _series.GetOrAdd(labels, static _ => new StrongBox()).Value, value);

    public long Get(string labels) => _series.TryGetValue(labels, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public void WriteTo(StringBuilder text, string name)
    {
        var keys = _series.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        foreach (var key in keys)
            text.Append(name).Append('{').Append(key).Append("} ").Append(Interlocked.Read(ref _series[key].Value).ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
