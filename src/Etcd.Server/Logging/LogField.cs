using System.Text.Json;
using Etcd.Api.Text;

namespace Etcd.Server.Logging;

/// <summary>One key and value of a log line; typed so that writing needs no reflection.</summary>
public readonly struct LogField
{
    private readonly string _key;
    private readonly object? _value;

    private LogField(string key, object? value)
    {
        _key = key;
        _value = value;
    }

    public static LogField Of(string key, string? value) => new(key, value);
    public static LogField Of(string key, long value) => new(key, value);
    public static LogField Of(string key, ulong value) => new(key, value);
    public static LogField Of(string key, bool value) => new(key, value);
    public static LogField Of(string key, IEnumerable<string> values) => new(key, values.ToArray());

    /// <summary>A member or cluster id, printed as etcd does: lower-case hex without leading zeros.</summary>
    public static LogField Id(string key, ulong id) => new(key, id.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    public static LogField Duration(string key, TimeSpan value) => new(key, GoDuration.Format(value));

    internal void WriteTo(Utf8JsonWriter json)
    {
        switch (_value)
        {
            case null: json.WriteNull(_key); break;
            case string s: json.WriteString(_key, s); break;
            case long l: json.WriteNumber(_key, l); break;
            case ulong u: json.WriteNumber(_key, u); break;
            case bool b: json.WriteBoolean(_key, b); break;
            case string[] list:
                json.WriteStartArray(_key);
                foreach (var item in list) json.WriteStringValue(item);
                json.WriteEndArray();
                break;
            default: json.WriteString(_key, _value.ToString()); break;
        }
    }
}
