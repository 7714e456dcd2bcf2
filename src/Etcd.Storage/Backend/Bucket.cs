namespace Etcd.Storage.Backend;

/// <summary>
/// etcd's buckets. The value is a one-byte prefix the engine puts before every key of the
/// bucket, so each bucket is its own ordered range; the numbers are stored on disk and must
/// never be reused for another bucket.
/// </summary>
public enum Bucket : byte
{
    /// <summary>MVCC revisions: key = revision bytes, value = the KeyValue at that revision.</summary>
    Key = 1,
    /// <summary>Consistent index, term, scheduled/finished compaction revisions.</summary>
    Meta = 2,
    Lease = 3,
    Auth = 4,
    AuthUsers = 5,
    AuthRoles = 6,
    Members = 7,
    MembersRemoved = 8,
    Alarm = 9,
    Cluster = 10,
    /// <summary>The v2 store's nodes by path, and its index (see Etcd.Server's V2StoreBucket).</summary>
    V2Store = 11,
}
