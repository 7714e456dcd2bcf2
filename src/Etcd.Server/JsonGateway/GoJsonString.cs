using System.Globalization;
using System.Text;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// A JSON string literal as Go's encoding/json writes it (etcd's gateway marshals through it):
/// quotes and backslashes escaped, control characters as \n, \r, \t or \u00XX, the HTML-sensitive
/// &lt; &gt; &amp; and U+2028/U+2029 as \u escapes, everything else as it is.
/// </summary>
public static class GoJsonString
{
    public static void Append(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }
}
