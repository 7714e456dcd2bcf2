using System.Text;
using System.Text.Json;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>member list|add|remove|update over /v2/members.</summary>
public static class V2MemberCommands
{
    public static V2Command Create() => new()
    {
        Name = "member",
        Usage = "member add, remove and list subcommands",
        Subcommands =
        [
            new V2Command { Name = "list", Usage = "enumerate existing cluster members", ArgsUsage = " ", Action = List },
            new V2Command { Name = "add", Usage = "add a new member to the etcd cluster", ArgsUsage = "<name> <peerURL>", Action = Add },
            new V2Command { Name = "remove", Usage = "remove an existing member from the etcd cluster", ArgsUsage = "<memberID>", Action = Remove },
            new V2Command { Name = "update", Usage = "update an existing member in the etcd cluster", ArgsUsage = "<memberID> <peerURLs>", Action = Update },
        ],
    };

    private static async Task<int> List(V2Context c)
    {
        if (c.Args.Count != 0)
        {
            throw c.Exit(1, "No arguments accepted");
        }

        V2Client client = await c.ClientAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(c.TotalTimeout);
        List<V2Member> members;
        try
        {
            members = await client.ListMembersAsync(cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            throw c.Exit(1, e.Message);
        }

        V2Member leader;
        try
        {
            leader = await client.LeaderAsync(cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            throw c.Exit(1, "Failed to get leader:  " + e.Message);
        }

        foreach (V2Member m in members)
        {
            c.Out.WriteLine(m.Name.Length == 0
                ? m.Id + "[unstarted]: peerURLs=" + string.Join(",", m.PeerUrls)
                : m.Id + ": name=" + m.Name + " peerURLs=" + string.Join(",", m.PeerUrls) + " clientURLs=" + string.Join(",", m.ClientUrls) + " isLeader=" + (m.Id == leader.Id ? "true" : "false"));
        }

        return 0;
    }

    private static async Task<int> Add(V2Context c)
    {
        if (c.Args.Count != 2)
        {
            throw c.Exit(1, "Provide a name and a single member peerURL");
        }

        V2Client client = await c.ClientAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(c.TotalTimeout);
        string newName = c.Args[0];
        string newId;
        List<V2Member> members;
        try
        {
            byte[] body = await client.MembersChangeAsync(HttpMethod.Post, "/v2/members", "{\"peerURLs\":[" + Quote(c.Args[1]) + "]}", 201, cts.Token).ConfigureAwait(false);
            using JsonDocument doc = JsonDocument.Parse(body);
            newId = V2Node.Str(doc.RootElement, "id");
            c.Out.WriteLine("Added member named " + newName + " with ID " + newId + " to cluster");
            members = await client.ListMembersAsync(cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            throw c.Exit(1, e.Message);
        }

        var conf = new List<string>();
        foreach (V2Member m in members)
        {
            foreach (string u in m.PeerUrls)
            {
                conf.Add((m.Id == newId ? newName : m.Name) + "=" + u);
            }
        }

        c.Out.Write("\n");
        c.Out.WriteLine("ETCD_NAME=" + GoText.QuoteString(newName));
        c.Out.WriteLine("ETCD_INITIAL_CLUSTER=" + GoText.QuoteString(string.Join(",", conf)));
        c.Out.WriteLine("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
        return 0;
    }

    private static async Task<int> Remove(V2Context c)
    {
        if (c.Args.Count != 1)
        {
            throw c.Exit(1, "Provide a single member ID");
        }

        string id = c.Args[0];
        V2Client client = await c.ClientAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(c.TotalTimeout);
        List<V2Member> members;
        try
        {
            members = await client.ListMembersAsync(cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            throw c.Exit(1, "Error while verifying ID against known members: " + e.Message);
        }

        bool found = false;
        foreach (V2Member m in members)
        {
            found |= m.Id == id;
            if (m.Name == id)
            {
                c.Err.Write("Found a member named " + m.Name + "; if this is correct, please use its ID, eg:\n\tetcdctl member remove " + m.Id + "\n");
                c.Err.Write("For more details, read the documentation at https://github.com/etcd-io/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n");
            }
        }

        if (!found)
        {
            c.Out.Flush();
            c.Err.Write("Couldn't find a member in the cluster with an ID of " + id + ".\n");
            throw new V2ExitException(1);
        }

        try
        {
            await client.MembersChangeAsync(HttpMethod.Delete, "/v2/members/" + id, null, 204, cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            c.Out.Flush();
            c.Err.Write("Received an error trying to remove member " + id + ": " + e.Message);
            throw new V2ExitException(1);
        }

        c.Out.WriteLine("Removed member " + id + " from cluster");
        return 0;
    }

    private static async Task<int> Update(V2Context c)
    {
        if (c.Args.Count != 2)
        {
            throw c.Exit(1, "Provide an ID and a list of comma separated peerURL (0xabcd http://example.com,http://example1.com)");
        }

        string id = c.Args[0];
        var json = new StringBuilder("{\"peerURLs\":[");
        string[] urls = c.Args[1].Split(',');
        for (int i = 0; i < urls.Length; i++)
        {
            json.Append(i > 0 ? "," : "").Append(Quote(urls[i]));
        }

        json.Append("]}");
        V2Client client = await c.ClientAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(c.TotalTimeout);
        try
        {
            await client.MembersChangeAsync(HttpMethod.Put, "/v2/members/" + id, json.ToString(), 204, cts.Token).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            throw c.Exit(1, e.Message);
        }

        c.Out.WriteLine("Updated member with ID " + id + " in cluster");
        return 0;
    }

    private static string Quote(string s)
    {
        var w = new GoJsonWriter();
        w.String(null, s);
        return w.ToString();
    }
}
