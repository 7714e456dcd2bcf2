using System.Text.Json;

namespace Etcd.Ctl.V2;

/// <summary>cluster-health: lists the members without a sync, asks each client URL for /health.</summary>
public static class V2ClusterHealthCommand
{
    public static V2Command Create() => new()
    {
        Name = "cluster-health",
        Usage = "check the health of the etcd cluster",
        ArgsUsage = " ",
        Flags = [V2Flag.Bool("forever, f", "forever check the health every 10 second until CTRL+C")],
        Action = Run,
    };

    private static async Task<int> Run(V2Context c)
    {
        bool forever = c.Flags.GetBool("forever");
        V2Client client = c.ClientNoSync();
        List<V2Member> members;
        try
        {
            members = await client.ListMembersAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (V2RequestException e)
        {
            c.Out.WriteLine("cluster may be unhealthy: failed to list members");
            throw c.Fail(V2ExitCode.ServerError, e);
        }

        while (true)
        {
            int healthy = 0;
            foreach (V2Member m in members)
            {
                if (m.ClientUrls.Count == 0)
                {
                    c.Out.WriteLine("member " + m.Id + " is unreachable: no available published client urls");
                    continue;
                }

                bool checkedOne = false;
                foreach (string url in m.ClientUrls)
                {
                    bool? ok = await Health(c, client, m, url).ConfigureAwait(false);
                    if (ok is null)
                    {
                        continue;
                    }

                    checkedOne = true;
                    if (ok == true)
                    {
                        c.Out.WriteLine("member " + m.Id + " is healthy: got healthy result from " + url);
                        healthy++;
                    }
                    else
                    {
                        c.Out.WriteLine("member " + m.Id + " is unhealthy: got unhealthy result from " + url);
                    }

                    break;
                }

                if (!checkedOne)
                {
                    c.Out.WriteLine("member " + m.Id + " is unreachable: [" + string.Join(" ", m.ClientUrls) + "] are all unreachable");
                }
            }

            c.Out.WriteLine(healthy == members.Count ? "cluster is healthy" : healthy == 0 ? "cluster is unavailable" : "cluster is degraded");
            if (!forever)
            {
                return healthy == members.Count ? V2ExitCode.Success : V2ExitCode.ClusterNotHealthy;
            }

            c.Out.Write("\nnext check after 10 second...\n\n");
            c.Out.Flush();
            await Task.Delay(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    // True/false for a {"health": "true"|true} answer, null when the member could not be asked.
    private static async Task<bool?> Health(V2Context c, V2Client client, V2Member m, string url)
    {
        try
        {
            byte[] body = await client.GetAbsoluteAsync(url + "/health").ConfigureAwait(false);
            using JsonDocument doc = JsonDocument.Parse(body);
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                // Go's json.Unmarshal matches the field name case-insensitively.
                if (string.Equals(p.Name, "health", StringComparison.OrdinalIgnoreCase))
                {
                    return p.Value.ValueKind == JsonValueKind.True || (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "true");
                }
            }

            return false;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or V2RequestException or InvalidOperationException)
        {
            c.Out.WriteLine("failed to check the health of member " + m.Id + " on " + url + ": " + e.Message);
            return null;
        }
    }
}
