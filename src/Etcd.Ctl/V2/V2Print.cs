namespace Etcd.Ctl.V2;

/// <summary>printResponseKey: a response in the simple, extended or json format.</summary>
public static class V2Print
{
    public static void Response(V2Context c, V2Response resp)
    {
        switch (c.Output)
        {
            case "simple":
                c.Out.WriteLine(resp.Action != "delete" ? resp.Node?.Value ?? "" : "PrevNode.Value: " + (resp.PrevNode?.Value ?? ""));
                break;
            case "extended":
                V2Node node = resp.Node ?? new V2Node();
                c.Out.WriteLine("Key: " + node.Key);
                c.Out.WriteLine("Created-Index: " + node.CreatedIndex);
                c.Out.WriteLine("Modified-Index: " + node.ModifiedIndex);
                if (resp.PrevNode is not null)
                {
                    c.Out.WriteLine("PrevNode.Value: " + resp.PrevNode.Value);
                }

                c.Out.WriteLine("TTL: " + node.Ttl);
                c.Out.WriteLine("Index: " + resp.Index);
                if (resp.Action != "delete")
                {
                    c.Out.WriteLine("");
                    c.Out.WriteLine(node.Value);
                }

                break;
            case "json":
                c.Out.WriteLine(resp.ToJson());
                break;
            default:
                c.Out.Flush();
                c.Err.WriteLine("Unsupported output format: " + c.Output);
                break;
        }
    }
}
