using System.Globalization;
using System.Text;
using Etcd.Server.JsonGateway;
using Etcd.Server.Membership;
using Etcd.Server.V2.Store;

namespace Etcd.Server.V2.Apply;

/// <summary>
/// etcd 3.4 also records the member list in the v2 store, under "/0" (hidden from the keys
/// API, which serves "/1"). Those writes take v2 indexes, so the first key a client writes to
/// a new one-member cluster gets index 4 there (member added, attributes published, cluster
/// version set). Making the same writes keeps our v2 indexes equal to etcd's.
/// </summary>
public sealed class V2MemberRecords(V2Store store)
{
    public const string MembersDir = "/0/members";
    public const string RemovedDir = "/0/removed_members";
    public const string VersionKey = "/0/version";

    public void Added(Member member) => Quietly(() => store.Create(RaftAttributesKey(member.Id), dir: false, RaftAttributes(member), unique: false, 0));

    public void RaftAttributesChanged(Member member) => Quietly(() => store.Update(RaftAttributesKey(member.Id), RaftAttributes(member), 0, refresh: false));

    public void Removed(ulong id)
    {
        Quietly(() => store.Delete(MemberDir(id), dir: true, recursive: true));
        Quietly(() => store.Create($"{RemovedDir}/{Hex(id)}", dir: false, "", unique: false, 0));
    }

    public void AttributesSet(Member member) => Quietly(() => store.Set(MemberDir(member.Id) + "/attributes", dir: false, Attributes(member), 0, refresh: false));

    public void ClusterVersionSet(string version) => Quietly(() => store.Set(VersionKey, dir: false, version, 0, refresh: false));

    // A data dir from before the v2 store was kept may lack these records: the member list
    // itself lives in its own buckets, so a missing record only costs index parity with etcd.
    private static void Quietly(Func<V2Event> write)
    {
        try
        {
            write();
        }
        catch (V2Error)
        {
        }
    }

    private static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);
    private static string MemberDir(ulong id) => $"{MembersDir}/{Hex(id)}";
    private static string RaftAttributesKey(ulong id) => MemberDir(id) + "/raftAttributes";

    // etcd's JSON of RaftAttributes: {"peerURLs":[...]} and "isLearner":true for a learner.
    private static string RaftAttributes(Member member)
    {
        var text = new StringBuilder("{\"peerURLs\":");
        AppendList(text, member.PeerUrls);
        if (member.IsLearner) text.Append(",\"isLearner\":true");
        return text.Append('}').ToString();
    }

    // etcd's JSON of Attributes: name and clientURLs, each left out when empty.
    private static string Attributes(Member member)
    {
        var text = new StringBuilder("{");
        if (member.Name.Length > 0)
        {
            text.Append("\"name\":");
            GoJsonString.Append(text, member.Name);
        }
        if (member.ClientUrls.Count > 0)
        {
            if (text.Length > 1) text.Append(',');
            text.Append("\"clientURLs\":");
            AppendList(text, member.ClientUrls);
        }
        return text.Append('}').ToString();
    }

    private static void AppendList(StringBuilder text, IReadOnlyList<string> items)
    {
        text.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) text.Append(',');
            GoJsonString.Append(text, items[i]);
        }
        text.Append(']');
    }
}
