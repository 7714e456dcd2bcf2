using System.Buffers.Binary;
using Etcd.Bbolt;
using Etcd.Storage.Checksums;

namespace Etcd.Util.Snapshots;

/// <summary>
/// etcd's snapshot status: bbolt's consistency check first, then a CRC-32C over every top-level
/// bucket's name and entries, the number of entries, the newest revision in <c>key</c>, and the
/// database's size (without the hash). The same numbers as etcdctl's for the same file.
/// </summary>
public sealed record SnapshotStatus(uint Hash, long Revision, long TotalKey, long TotalSize)
{
    public static SnapshotStatus Of(string path, Action<long>? progress = null)
    {
        var file = SnapshotFile.Open(path);
        using var db = file.OpenDb();
        try
        {
            var problems = db.Check();
            if (problems.Count > 0)
            {
                throw new UtilException($"snapshot file integrity check failed. {problems.Count} errors found.\n" + string.Join("\n", problems));
            }
            uint crc = 0;
            long revision = 0, keys = 0;
            var buckets = new List<(byte[] Name, BboltBucket Bucket)>();
            db.ForEach(db.Root, (name, value, isBucket) =>
            {
                if (!isBucket) throw new UtilException($"cannot get hash of bucket {System.Text.Encoding.UTF8.GetString(name)}");
                buckets.Add((name.ToArray(), BboltBucket.Parse(value)));
                return true;
            });
            foreach (var (name, bucket) in buckets)
            {
                crc = Crc32C.Append(crc, name);
                var isKey = name.AsSpan().SequenceEqual("key"u8);
                db.ForEach(bucket, (key, value, isBucket) =>
                {
                    crc = Crc32C.Append(crc, key);
                    // bbolt hands a nested bucket's value out as nil: nothing is hashed for it.
                    if (!isBucket) crc = Crc32C.Append(crc, value);
                    if (isKey && key.Length >= 8) revision = BinaryPrimitives.ReadInt64BigEndian(key);
                    if (++keys % 65536 == 0) progress?.Invoke(keys);
                    return true;
                });
            }
            return new SnapshotStatus(crc, revision, keys, db.Size);
        }
        catch (InvalidDataException e)
        {
            throw new UtilException($"snapshot {path} is not a valid etcd database: {e.Message}", 1, e);
        }
    }
}
