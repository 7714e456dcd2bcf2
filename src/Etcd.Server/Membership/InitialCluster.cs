using Etcd.Server.Configuration;

namespace Etcd.Server.Membership;

/// <summary>Parses --initial-cluster ("name=url,name=url2,...") into members, with etcd's checks.</summary>
public static class InitialCluster
{
    public static IReadOnlyList<Member> Parse(string text, string token)
    {
        var urlsByName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0) throw new FlagError($"error setting up initial cluster: {part} is not a valid name=url pair", 1, false);
            var name = part[..equals];
            var url = part[(equals + 1)..];
            if (!Uri.TryCreate(url, UriKind.Absolute, out _))
                throw new FlagError($"error setting up initial cluster: {url} is not a valid URL", 1, false);
            if (!urlsByName.TryGetValue(name, out var urls))
            {
                urls = [];
                urlsByName.Add(name, urls);
                order.Add(name);
            }
            urls.Add(url);
        }
        // Two names with the same URLs get the same id; InitialClusterCheck refuses them (duplicate url).
        var members = new List<Member>();
        foreach (var name in order)
        {
            var urls = urlsByName[name];
            members.Add(new Member { Id = MemberIdentity.MemberId(urls, token), Name = name, PeerUrls = urls });
        }
        return members;
    }
}
