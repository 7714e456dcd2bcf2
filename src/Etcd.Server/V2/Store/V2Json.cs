using System.Globalization;
using System.Text;
using Etcd.Server.JsonGateway;

namespace Etcd.Server.V2.Store;

/// <summary>
/// Events and errors as etcd writes them with Go's encoding/json: fields in etcd's order, empty
/// ones left out, times in RFC 3339 with nanoseconds (trailing zeros dropped), a newline at the end.
/// </summary>
public static class V2Json
{
    /// <summary>The event with <paramref name="prefix"/> trimmed from every key (the keys API hides its "/1").</summary>
    public static void AppendEvent(StringBuilder text, V2Event e, string prefix, bool withNodes = true)
    {
        text.Append("{\"action\":");
        GoJsonString.Append(text, e.Action);
        if (withNodes && e.Node is { } node)
        {
            text.Append(",\"node\":");
            AppendNode(text, node, prefix);
        }
        if (withNodes && e.PrevNode is { } prev)
        {
            text.Append(",\"prevNode\":");
            AppendNode(text, prev, prefix);
        }
        if (e.Refresh) text.Append(",\"refresh\":true");
        text.Append("}\n");
    }

    public static void AppendNode(StringBuilder text, V2NodeView node, string prefix)
    {
        text.Append('{');
        var first = true;
        void Field(StringBuilder t, string name)
        {
            if (!first) t.Append(',');
            first = false;
            t.Append('"').Append(name).Append("\":");
        }
        var key = node.Key.StartsWith(prefix, StringComparison.Ordinal) ? node.Key[prefix.Length..] : node.Key;
        if (key.Length > 0)
        {
            Field(text, "key");
            GoJsonString.Append(text, key);
        }
        if (node.Value is { } value)
        {
            Field(text, "value");
            GoJsonString.Append(text, value);
        }
        if (node.Dir)
        {
            Field(text, "dir");
            text.Append("true");
        }
        if (node.ExpirationNanos is { } expiration)
        {
            Field(text, "expiration");
            text.Append('"');
            AppendTime(text, expiration);
            text.Append('"');
        }
        if (node.Ttl != 0)
        {
            Field(text, "ttl");
            text.Append(node.Ttl);
        }
        if (node.Nodes is { Count: > 0 } children)
        {
            Field(text, "nodes");
            text.Append('[');
            for (var i = 0; i < children.Count; i++)
            {
                if (i > 0) text.Append(',');
                AppendNode(text, children[i], prefix);
            }
            text.Append(']');
        }
        if (node.ModifiedIndex != 0)
        {
            Field(text, "modifiedIndex");
            text.Append(node.ModifiedIndex);
        }
        if (node.CreatedIndex != 0)
        {
            Field(text, "createdIndex");
            text.Append(node.CreatedIndex);
        }
        text.Append('}');
    }

    public static string Error(V2Error error)
    {
        var text = new StringBuilder(96).Append("{\"errorCode\":").Append(error.Code).Append(",\"message\":");
        GoJsonString.Append(text, V2Error.MessageOf(error.Code));
        if (error.Cause.Length > 0)
        {
            text.Append(",\"cause\":");
            GoJsonString.Append(text, error.Cause);
        }
        return text.Append(",\"index\":").Append(error.Index).Append("}\n").ToString();
    }

    /// <summary>Go's RFC3339Nano in UTC: "2006-01-02T15:04:05.999999999Z".</summary>
    public static void AppendTime(StringBuilder text, long unixNanos)
    {
        var seconds = Math.DivRem(unixNanos, 1_000_000_000, out var fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000;
        }
        var time = DateTime.UnixEpoch.AddSeconds(seconds);
        text.Append(time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        if (fraction > 0)
        {
            var digits = fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
            text.Append('.').Append(digits);
        }
        text.Append('Z');
    }
}
