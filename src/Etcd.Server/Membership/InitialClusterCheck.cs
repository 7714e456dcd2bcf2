using Etcd.Server.Configuration;
using Etcd.Server.Core;

namespace Etcd.Server.Membership;

/// <summary>
/// etcd's checks of --initial-cluster before a new member starts, with its messages: the local
/// name is listed, its URLs match --initial-advertise-peer-urls, no URL is listed twice; and, for a
/// member joining a running cluster, that the cluster's members are exactly those listed.
/// </summary>
public static class InitialClusterCheck
{
    /// <summary>For --initial-cluster-state=new; returns the local member.</summary>
    public static Member ForNewCluster(EtcdConfig config, IReadOnlyList<Member> members)
    {
        var self = LocalMember(config, members);
        CheckAdvertisedUrls(config, self);
        CheckDuplicateUrls(members);
        return self;
    }

    /// <summary>For --initial-cluster-state=existing; returns the local member as listed (its id is assigned later).</summary>
    public static Member ForJoin(EtcdConfig config, IReadOnlyList<Member> members)
    {
        var self = LocalMember(config, members);
        CheckDuplicateUrls(members);
        return self;
    }

    /// <summary>
    /// etcd's ValidateClusterAndAssignIDs: every member of the running cluster must be listed with
    /// the same peer URLs; the local member takes the id the cluster gave it when it was added.
    /// </summary>
    public static ulong AssignLocalId(IReadOnlyList<Member> listed, string localName, ulong clusterId, IReadOnlyList<Member> existing)
    {
        var cluster = Describe(clusterId, existing);
        if (existing.Count != listed.Count)
            throw new BootstrapException($"error validating peerURLs {cluster}: member count is unequal");
        var ids = listed.ToDictionary(m => m.Name, m => m.Id);
        foreach (var member in existing)
        {
            var match = listed.FirstOrDefault(m => SameUrls(m.PeerUrls, member.PeerUrls));
            if (match is null)
            {
                throw new BootstrapException(
                    $"error validating peerURLs {cluster}: PeerURLs: no match found for existing member ({member.Id:x}, [{string.Join(" ", member.PeerUrls)}]), last resolver error (<nil>)");
            }
            ids[match.Name] = member.Id;
        }
        return ids[localName];
    }

    private static Member LocalMember(EtcdConfig config, IReadOnlyList<Member> members) =>
        members.FirstOrDefault(m => m.Name == config.Name)
        ?? throw new BootstrapException($"couldn't find local name \"{config.Name}\" in the initial cluster configuration");

    private static void CheckAdvertisedUrls(EtcdConfig config, Member self)
    {
        var advertised = config.InitialAdvertisePeerUrls.Select(u => u.OriginalString).OrderBy(u => u, StringComparer.Ordinal).ToList();
        var listed = self.PeerUrls.OrderBy(u => u, StringComparer.Ordinal).ToList();
        if (SameUrls(advertised, listed)) return;
        var missingFromAdvertised = listed.Where(u => !advertised.Contains(u)).ToList();
        if (missingFromAdvertised.Count > 0)
        {
            var reason = advertised.Count != listed.Count
                ? $"len({GoQuoted(advertised)}) != len({GoQuoted(listed)})"
                : $"resolved urls: \"{advertised.First(u => !listed.Contains(u))}\" != \"{missingFromAdvertised[0]}\"";
            throw new BootstrapException(
                $"--initial-cluster has {string.Join(",", missingFromAdvertised.Select(u => self.Name + "=" + u))} but missing from --initial-advertise-peer-urls={string.Join(",", advertised)} ({reason})");
        }
        var missingFromListed = advertised.Where(u => !listed.Contains(u));
        throw new BootstrapException(
            $"--initial-advertise-peer-urls has {string.Join(",", missingFromListed)} but missing from --initial-cluster={string.Join(",", advertised.Select(u => self.Name + "=" + u))}");
    }

    private static void CheckDuplicateUrls(IReadOnlyList<Member> members)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (members.SelectMany(m => m.PeerUrls).All(seen.Add)) return;
        var pairs = members.SelectMany(m => m.PeerUrls.Select(u => m.Name + "=" + u)).OrderBy(p => p, StringComparer.Ordinal);
        throw new BootstrapException($"initial cluster {string.Join(",", pairs)} has duplicate url");
    }

    private static bool SameUrls(IEnumerable<string> a, IEnumerable<string> b) =>
        a.Select(Normalize).OrderBy(u => u, StringComparer.Ordinal).SequenceEqual(b.Select(Normalize).OrderBy(u => u, StringComparer.Ordinal));

    private static string Normalize(string url) => url.TrimEnd('/');

    private static string GoQuoted(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(v => $"\"{v}\"")) + "]";

    // Go's %s of a RaftCluster, close enough for an operator to see which members the cluster has.
    private static string Describe(ulong clusterId, IReadOnlyList<Member> members) =>
        $"{{ClusterID:{clusterId:x} Members:[{string.Join(" ", members.Select(m => $"&{{ID:{m.Id:x} RaftAttributes:{{PeerURLs:[{string.Join(" ", m.PeerUrls)}] IsLearner:{(m.IsLearner ? "true" : "false")}}} Attributes:{{Name:{m.Name} ClientURLs:[{string.Join(" ", m.ClientUrls)}]}}}}"))}] RemovedMemberIDs:[]}}";
}
