using System.Text.Json;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>A node of the v2 store as the keys API returns it.</summary>
public sealed class V2Node
{
    public string Key { get; init; } = "";

    public bool Dir { get; init; }

    public string Value { get; init; } = "";

    /// <summary>Null when the server sent none (Go marshals it back as "nodes":null).</summary>
    public List<V2Node>? Nodes { get; init; }

    public ulong CreatedIndex { get; init; }

    public ulong ModifiedIndex { get; init; }

    /// <summary>RFC 3339 text as the server sent it, or null.</summary>
    public string? Expiration { get; init; }

    public long Ttl { get; init; }

    public static V2Node? Parse(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        List<V2Node>? nodes = null;
        if (e.TryGetProperty("nodes", out JsonElement n) && n.ValueKind == JsonValueKind.Array)
        {
            nodes = [];
            foreach (JsonElement child in n.EnumerateArray())
            {
                V2Node? node = Parse(child);
                if (node is not null)
                {
                    nodes.Add(node);
                }
            }
        }

        return new V2Node
        {
            Key = Str(e, "key"),
            Dir = e.TryGetProperty("dir", out JsonElement d) && d.ValueKind == JsonValueKind.True,
            Value = Str(e, "value"),
            Nodes = nodes,
            CreatedIndex = UInt(e, "createdIndex"),
            ModifiedIndex = UInt(e, "modifiedIndex"),
            Expiration = e.TryGetProperty("expiration", out JsonElement x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null,
            Ttl = e.TryGetProperty("ttl", out JsonElement t) && t.TryGetInt64(out long ttl) ? ttl : 0,
        };
    }

    /// <summary>Go's json.Marshal of client.Node.</summary>
    public void WriteJson(GoJsonWriter w, string? name)
    {
        w.BeginObject(name);
        w.String("key", Key);
        w.Bool("dir", Dir, omitEmpty: true);
        w.String("value", Value);
        if (Nodes is null)
        {
            w.Null("nodes");
        }
        else
        {
            w.BeginArray("nodes");
            foreach (V2Node node in Nodes)
            {
                node.WriteJson(w, null);
            }

            w.EndArray();
        }

        w.UInt("createdIndex", CreatedIndex);
        w.UInt("modifiedIndex", ModifiedIndex);
        if (Expiration is not null)
        {
            w.String("expiration", Expiration);
        }

        w.Int("ttl", Ttl, omitEmpty: true);
        w.EndObject();
    }

    internal static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    internal static ulong UInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.TryGetUInt64(out ulong u) ? u : 0;
}

/// <summary>One keys API answer (client.Response); Index is the X-Etcd-Index header.</summary>
public sealed class V2Response
{
    public string Action { get; init; } = "";

    public V2Node? Node { get; init; }

    public V2Node? PrevNode { get; init; }

    public ulong Index { get; init; }

    public static V2Response Parse(JsonElement e, ulong index) => new()
    {
        Action = V2Node.Str(e, "action"),
        Node = e.TryGetProperty("node", out JsonElement n) ? V2Node.Parse(n) : null,
        PrevNode = e.TryGetProperty("prevNode", out JsonElement p) ? V2Node.Parse(p) : null,
        Index = index,
    };

    public string ToJson()
    {
        var w = new GoJsonWriter();
        w.BeginObject();
        w.String("action", Action);
        WriteNode(w, "node", Node);
        WriteNode(w, "prevNode", PrevNode);
        w.EndObject();
        return w.ToString();
    }

    private static void WriteNode(GoJsonWriter w, string name, V2Node? node)
    {
        if (node is null)
        {
            w.Null(name);
        }
        else
        {
            node.WriteJson(w, name);
        }
    }
}
