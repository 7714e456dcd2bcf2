namespace Etcd.Ctl.V2;

/// <summary>Where v2 requests go: --endpoints, ETCDCTL_ENDPOINTS, --endpoint, ETCDCTL_ENDPOINT, --peers, ETCDCTL_PEERS, then the default.</summary>
public static class V2Endpoints
{
    public const string Default = "http://127.0.0.1:2379,http://127.0.0.1:4001";

    public static List<string> Resolve(V2Context c)
    {
        string domain = c.Global.GetString("discovery-srv");
        if (domain.Length == 0)
        {
            domain = c.Env("ETCDCTL_DISCOVERY_SRV");
        }

        if (domain.Length > 0)
        {
            // .NET has no SRV lookup in the BCL; say so rather than silently using other endpoints.
            throw c.Exit(V2ExitCode.BadArgs, "--discovery-srv (ETCDCTL_DISCOVERY_SRV) is not supported by this etcdctl yet; give --endpoints");
        }

        string peers = c.Global.GetString("endpoints");
        foreach (string candidate in (string[])[c.Env("ETCDCTL_ENDPOINTS"), c.Global.GetString("endpoint"), c.Env("ETCDCTL_ENDPOINT"), c.Global.GetString("peers"), c.Env("ETCDCTL_PEERS"), Default])
        {
            if (peers.Length > 0)
            {
                break;
            }

            peers = candidate;
        }

        var endpoints = new List<string>();
        foreach (string raw in peers.Split(','))
        {
            endpoints.Add(Normalize(c, raw));
        }

        return endpoints;
    }

    // Go's url.Parse then "http" when no scheme: "127.0.0.1:2379" is a parse error there, and
    // "localhost:2379" parses with scheme "localhost" (the request then fails).
    private static string Normalize(V2Context c, string raw)
    {
        int colon = raw.IndexOf(':', StringComparison.Ordinal);
        int slash = raw.IndexOf('/', StringComparison.Ordinal);
        if (colon > 0 && (slash < 0 || colon < slash))
        {
            string scheme = raw[..colon];
            if (!IsScheme(scheme))
            {
                throw c.Exit(V2ExitCode.BadArgs, "parse " + Output.GoText.QuoteString(raw) + ": first path segment in URL cannot contain colon");
            }

            return raw;
        }

        return "http://" + raw;
    }

    private static bool IsScheme(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (char ch in s)
        {
            if (!char.IsAsciiLetterOrDigit(ch) && ch is not '+' and not '-' and not '.')
            {
                return false;
            }
        }

        return true;
    }
}
