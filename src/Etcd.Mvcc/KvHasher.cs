using Etcd.Storage.Backend;
using Etcd.Storage.Checksums;

namespace Etcd.Mvcc;

/// <summary>
/// etcd's HashKV definition: a CRC-32C of the bucket name "key" followed by the backend key and
/// value of every record up to the hashed revision, leaving out records at or below the
/// compaction revision that the compaction does not keep (they may or may not be physically
/// gone yet, and the hash must not depend on that). Members with the same history agree.
/// </summary>
internal static class KvHasher
{
    /// <summary>The revisions a compaction at <paramref name="compactRevision"/> keeps. Call under the index lock.</summary>
    public static HashSet<Revision> KeptAt(KeyIndex index, long compactRevision)
    {
        var kept = new HashSet<Revision>();
        if (compactRevision <= 0)
        {
            return kept;
        }
        foreach (KeyHistory history in index.Range(KeyRange.Of([], [0])))
        {
            history.CollectKept(compactRevision, kept);
        }
        return kept;
    }

    public static uint Hash(IBackendReader reader, long revision, long compactRevision, HashSet<Revision> kept)
    {
        uint crc = Crc32C.Compute("key"u8);
        byte[] end = new byte[RevisionKey.Length];
        RevisionKey.WriteLowerBound(end, revision + 1);
        reader.Scan(Bucket.Key, [], end, (key, value) =>
        {
            Revision record = RevisionKey.Read(key);
            // As etcd: an empty kept set filters nothing.
            if (record.Main <= compactRevision && kept.Count > 0 && !kept.Contains(record))
            {
                return true;
            }
            crc = Crc32C.Append(Crc32C.Append(crc, key), value);
            return true;
        });
        return crc;
    }
}
