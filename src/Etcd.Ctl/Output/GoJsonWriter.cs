using System.Globalization;
using System.Text;

namespace Etcd.Ctl.Output;

/// <summary>
/// Writes compact JSON exactly as Go's encoding/json.Marshal does for etcdctl's -w json output:
/// integers as plain numbers (uint64 included), []byte as standard base64, HTML-sensitive
/// characters escaped, and "omitempty" fields skipped when zero.
/// </summary>
public sealed class GoJsonWriter
{
    private readonly StringBuilder _sb = new();
    private readonly Stack<bool> _first = new();

    public GoJsonWriter BeginObject(string? name = null)
    {
        Prefix(name);
        _sb.Append('{');
        _first.Push(true);
        return this;
    }

    public GoJsonWriter EndObject()
    {
        _first.Pop();
        _sb.Append('}');
        return this;
    }

    public GoJsonWriter BeginArray(string? name = null)
    {
        Prefix(name);
        _sb.Append('[');
        _first.Push(true);
        return this;
    }

    public GoJsonWriter EndArray()
    {
        _first.Pop();
        _sb.Append(']');
        return this;
    }

    public GoJsonWriter Null(string? name = null)
    {
        Prefix(name);
        _sb.Append("null");
        return this;
    }

    public GoJsonWriter Int(string? name, long value, bool omitEmpty = false)
    {
        if (omitEmpty && value == 0)
        {
            return this;
        }

        Prefix(name);
        _sb.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public GoJsonWriter UInt(string? name, ulong value, bool omitEmpty = false)
    {
        if (omitEmpty && value == 0)
        {
            return this;
        }

        Prefix(name);
        _sb.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public GoJsonWriter Bool(string? name, bool value, bool omitEmpty = false)
    {
        if (omitEmpty && !value)
        {
            return this;
        }

        Prefix(name);
        _sb.Append(value ? "true" : "false");
        return this;
    }

    public GoJsonWriter String(string? name, string value, bool omitEmpty = false)
    {
        if (omitEmpty && value.Length == 0)
        {
            return this;
        }

        Prefix(name);
        AppendQuoted(value);
        return this;
    }

    /// <summary>A []byte field: base64, or omitted/null when empty.</summary>
    public GoJsonWriter Bytes(string? name, ReadOnlySpan<byte> value, bool omitEmpty = false)
    {
        if (omitEmpty && value.IsEmpty)
        {
            return this;
        }

        Prefix(name);
        _sb.Append('"').Append(Convert.ToBase64String(value)).Append('"');
        return this;
    }

    public override string ToString() => _sb.ToString();

    private void Prefix(string? name)
    {
        if (_first.Count > 0)
        {
            if (!_first.Peek())
            {
                _sb.Append(',');
            }

            _first.Pop();
            _first.Push(false);
        }

        if (name is not null)
        {
            AppendQuoted(name);
            _sb.Append(':');
        }
    }

    private void AppendQuoted(string value)
    {
        _sb.Append('"');
        foreach (Rune rune in value.EnumerateRunes())
        {
            int v = rune.Value;
            switch (v)
            {
                case '"': _sb.Append("\\\""); continue;
                case '\\': _sb.Append("\\\\"); continue;
                case '\n': _sb.Append("\\n"); continue;
                case '\r': _sb.Append("\\r"); continue;
                case '\t': _sb.Append("\\t"); continue;
                case '\b': _sb.Append("\\b"); continue;
                case '\f': _sb.Append("\\f"); continue;
            }

            // Go escapes control characters, the HTML-significant <, > and &, and the JavaScript
            // line separators; lone surrogates (invalid UTF-8 on the Go side) become U+FFFD.
            if (v < 0x20 || v == '<' || v == '>' || v == '&' || v == 0x2028 || v == 0x2029)
            {
                _sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
                continue;
            }

            _sb.Append(rune.ToString());
        }

        _sb.Append('"');
    }
}
