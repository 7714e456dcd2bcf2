using System.Text;
using Etcd.Mvcc;
using Etcd.Storage.Backend;

namespace Etcd.Server.Membership;

/// <summary>
/// The member list in the backend, laid out as etcd lays it out: Members maps a member id (hex)
/// to its JSON record, MembersRemoved holds the ids of removed members, Cluster holds the
/// cluster version. Written in the apply batch of the entry that changed them, so the backend's
/// member list always matches its applied index; read back on restart and after installing a
/// snapshot.
/// </summary>
public static class MemberBuckets
{
    private static readonly byte[] ClusterVersionKey = "clusterVersion"u8.ToArray();
    private static readonly byte[] RemovedMarker = "removed"u8.ToArray();

    public static void Save(ApplyBatch batch, Member member) =>
        batch.PutBucketEntry(Bucket.Members, Key(member.Id), MemberContext.From(member).ToJson());

    public static void SaveRemoved(ApplyBatch batch, ulong id)
    {
        batch.DeleteBucketEntry(Bucket.Members, Key(id));
        batch.PutBucketEntry(Bucket.MembersRemoved, Key(id), RemovedMarker);
    }

    public static void SaveClusterVersion(ApplyBatch batch, string version) =>
        batch.PutBucketEntry(Bucket.Cluster, ClusterVersionKey, Encoding.UTF8.GetBytes(version));

    /// <summary>Loads the member list, in id order (etcd lists members by id).</summary>
    public static (List<Member> Members, List<ulong> Removed, string? ClusterVersion) Load(IBackendReader reader)
    {
        var members = new List<Member>();
        reader.Scan(Bucket.Members, [], [], (_, value) =>
        {
            if (MemberContext.FromJson(value) is { } context) members.Add(context.ToMember());
            return true;
        });
        members.Sort((a, b) => a.Id.CompareTo(b.Id));
        var removed = new List<ulong>();
        reader.Scan(Bucket.MembersRemoved, [], [], (key, _) =>
        {
            removed.Add(ulong.Parse(Encoding.ASCII.GetString(key), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture));
            return true;
        });
        var version = reader.Get(Bucket.Cluster, ClusterVersionKey) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        return (members, removed, version);
    }

    // etcd's key: the id in hex without leading zeros.
    private static byte[] Key(ulong id) => Encoding.ASCII.GetBytes(id.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
}
