using Etcd.Storage.Backend;
using Etcd.Storage.Checksums;

namespace Etcd.Mvcc;

/// <summary>
/// etcd's HashKV definition: a CRC-32C of the bucket name "key" followed by the backend key and
/// value of every record up to the hashed revision, except that a record at or below the
/// compaction revision counts only if it is its key's newest record at the hashed revision.
/// That leaves out everything compaction removes, so the hash does not depend on how far a
/// member's physical compaction has got, and members with the same history agree.
/// </summary>
internal static class KvHasher
{
    /// <summary>For each key, its newest revision at or below <paramref name="revision"/> unless a deletion. Call under the index lock.</summary>
    public static HashSet<Revision> NewestAt(KeyIndex index, long revision)
    {
        var newest = new HashSet<Revision>();
        foreach (KeyHistory history in index.Range(KeyRange.Of([], [0])))
        {
            history.CollectKept(revision, newest);
        }
        return newest;
    }

    public static uint Hash(IBackendReader reader, long revision, long compactRevision, HashSet<Revision> newest)
    {
        uint crc = Crc32C.Compute("key"u8);
        byte[] end = new byte[RevisionKey.Length];
        RevisionKey.WriteLowerBound(end, revision + 1);
        reader.Scan(Bucket.Key, [], end, (key, value) =>
        {
            Revision record = RevisionKey.Read(key);
            // As etcd: with no key live at the revision, nothing is left out on this ground.
            if (record.Main <= compactRevision && newest.Count > 0 && !newest.Contains(record))
            {
                return true;
            }
            // Newer etcd keeps a deletion at exactly the compaction revision where older etcd
            // removed it; etcd leaves it out of the hash so both agree, and so do we.
            if (record.Main == compactRevision && RevisionKey.IsTombstone(key))
            {
                return true;
            }
            crc = Crc32C.Append(Crc32C.Append(crc, key), value);
            return true;
        });
        return crc;
    }
}
