using System.Globalization;

namespace Etcd.Compat.Tests;

/// <summary>A parser of Prometheus' text exposition format (0.0.4): families with their TYPE, and samples with labels.</summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);
    public List<Sample> Samples { get; } = [];

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (!parsed.Types.TryAdd(parts[2], parts[3])) throw new FormatException($"TYPE given twice for {parts[2]}");
                continue;
            }
            if (line[0] == '#') continue;
            parsed.Samples.Add(ParseSample(line));
        }
        return parsed;
    }

    private static Sample ParseSample(string line)
    {
        var brace = line.IndexOf('{');
        var space = line.LastIndexOf(' ');
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string name;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            var close = line.LastIndexOf('}');
            var i = brace + 1;
            while (i < close)
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq];
                if (line[eq + 1] != '"') throw new FormatException($"label value not quoted: {line}");
                var end = eq + 2;
                while (line[end] != '"' || line[end - 1] == '\\') end++;
                labels.Add(key, line[(eq + 2)..end]);
                i = end + 1;
                if (i < close && line[i] == ',') i++;
            }
        }
        else
        {
            name = line[..space];
        }
        var valueText = line[(space + 1)..];
        var value = valueText switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, value);
    }

    /// <summary>The family a sample belongs to (histogram _bucket/_sum/_count fold into their family).</summary>
    public string? TypeOf(string family) => Types.TryGetValue(family, out var type) ? type : null;

    public IEnumerable<Sample> Of(string name) => Samples.Where(s => s.Name == name);

    public double Sum(string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        Of(name).Where(s => where is null || where(s.Labels)).Sum(s => s.Value);
}
