namespace Etcd.Server.Membership;

/// <summary>Peer URLs as etcd accepts them for a member (types.NewURLs): http(s) or unix(s), host:port, no path; sorted.</summary>
public static class PeerUrlList
{
    /// <summary>The URLs sorted, or null when any is not a valid member URL.</summary>
    public static IReadOnlyList<string>? Parse(IEnumerable<string> urls)
    {
        var result = new List<string>();
        foreach (var text in urls)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url)) return null;
            if (url.Scheme is not ("http" or "https" or "unix" or "unixs")) return null;
            var authority = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
            if (authority.Contains('/')) return null;
            var colon = authority.LastIndexOf(':');
            if (colon <= authority.LastIndexOf(']') || colon == authority.Length - 1) return null;
            result.Add(text);
        }
        if (result.Count == 0) return null;
        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
