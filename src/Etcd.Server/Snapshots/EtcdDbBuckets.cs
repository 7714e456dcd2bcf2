using Etcd.Storage.Backend;

namespace Etcd.Server.Snapshots;

/// <summary>
/// etcd's bucket names in its bbolt db, and ours that hold the same data with the same encodings
/// (revision keys to mvccpb.KeyValue, leasepb.Lease, authpb users and roles, member JSON, ...).
/// Listed in bbolt's key order, the order a bbolt file holds them. Our v2 store bucket has no
/// counterpart: etcd keeps the v2 store in its Raft snapshot files, not in the db.
/// </summary>
public static class EtcdDbBuckets
{
    public static IReadOnlyList<(string Name, Bucket Bucket)> All { get; } =
    [
        ("alarm", Bucket.Alarm),
        ("auth", Bucket.Auth),
        ("authRoles", Bucket.AuthRoles),
        ("authUsers", Bucket.AuthUsers),
        ("cluster", Bucket.Cluster),
        ("key", Bucket.Key),
        ("lease", Bucket.Lease),
        ("members", Bucket.Members),
        ("members_removed", Bucket.MembersRemoved),
        ("meta", Bucket.Meta),
    ];

    /// <summary>Our bucket for an etcd bucket name; null for one we do not keep (etcd 3.5's confState lives in meta, unknown ones are skipped).</summary>
    public static Bucket? Find(ReadOnlySpan<byte> name)
    {
        foreach (var (etcdName, bucket) in All)
        {
            if (name.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(etcdName))) return bucket;
        }
        return null;
    }

    /// <summary>
    /// The meta keys etcd reads: consistent_index, term (3.5), scheduledCompactRev and
    /// finishedCompactRev. Our own bookkeeping (flushedIndex) stays out of the file.
    /// </summary>
    public static bool IsEtcdMetaKey(ReadOnlySpan<byte> key) =>
        key.SequenceEqual("consistent_index"u8) || key.SequenceEqual("term"u8)
        || key.SequenceEqual("scheduledCompactRev"u8) || key.SequenceEqual("finishedCompactRev"u8);
}
