using Etcd.Api.Etcdserverpb;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Printers;

/// <summary>Rows shared by the simple (comma-joined) and table renderings.</summary>
public static class Tables
{
    public static readonly string[] MemberHeader = ["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"];

    public static readonly string[] HealthHeader = ["endpoint", "health", "took", "error"];

    public static readonly string[] StatusHeader =
        ["endpoint", "ID", "version", "db size", "is leader", "is learner", "raft term", "raft index", "raft applied index", "errors"];

    public static readonly string[] HashHeader = ["endpoint", "hash"];

    public static List<string[]> MemberRows(MemberListResponse r)
    {
        var rows = new List<string[]>(r.Members.Count);
        foreach (Member m in r.Members)
        {
            rows.Add([
                GoText.Hex(m.ID),
                m.Name.Length == 0 ? "unstarted" : "started",
                m.Name,
                string.Join(",", m.PeerURLs),
                string.Join(",", m.ClientURLs),
                GoText.Bool(m.IsLearner),
            ]);
        }

        return rows;
    }

    public static List<string[]> HealthRows(IReadOnlyList<EndpointHealthResult> r)
    {
        var rows = new List<string[]>(r.Count);
        foreach (EndpointHealthResult h in r)
        {
            rows.Add([h.Endpoint, GoText.Bool(h.Health), h.Took, h.Error]);
        }

        return rows;
    }

    public static List<string[]> StatusRows(IReadOnlyList<EndpointStatusResult> r)
    {
        var rows = new List<string[]>(r.Count);
        foreach (EndpointStatusResult e in r)
        {
            StatusResponse s = e.Status;
            ulong memberId = s.Header?.MemberId ?? 0;
            rows.Add([
                e.Endpoint,
                GoText.Hex(memberId),
                s.Version,
                HumanBytes.Format((ulong)s.DbSize),
                GoText.Bool(s.Leader == memberId),
                GoText.Bool(s.IsLearner),
                GoText.Dec(s.RaftTerm),
                GoText.Dec(s.RaftIndex),
                GoText.Dec(s.RaftAppliedIndex),
                string.Join(", ", s.Errors),
            ]);
        }

        return rows;
    }

    public static List<string[]> HashRows(IReadOnlyList<EndpointHashResult> r)
    {
        var rows = new List<string[]>(r.Count);
        foreach (EndpointHashResult h in r)
        {
            rows.Add([h.Endpoint, GoText.Dec(h.HashKV.Hash)]);
        }

        return rows;
    }
}
