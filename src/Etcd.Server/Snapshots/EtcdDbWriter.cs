using Etcd.Bbolt;
using Etcd.Storage.Backend;

namespace Etcd.Server.Snapshots;

/// <summary>
/// Writes one consistent backend view as etcd's db file: a bbolt database with etcd's buckets,
/// which etcdctl saves and restores and etcd runs on. One pass over the view, bucket by bucket
/// in key order; memory stays a few pages whatever the size.
/// </summary>
public static class EtcdDbWriter
{
    /// <summary>Writes the file to <paramref name="output"/> (seekable); returns its size in bytes.</summary>
    public static long Write(IBackendReader view, Stream output, Action<long>? progress = null)
    {
        using var writer = new BboltWriter(output);
        long pairs = 0;
        foreach (var (name, bucket) in EtcdDbBuckets.All)
        {
            writer.BeginBucket(System.Text.Encoding.ASCII.GetBytes(name));
            view.Scan(bucket, [], [], (key, value) =>
            {
                if (bucket != Bucket.Meta || EtcdDbBuckets.IsEtcdMetaKey(key)) writer.Put(key, value);
                if (++pairs % 65536 == 0) progress?.Invoke((long)writer.Pages * writer.PageSize);
                return true;
            });
            writer.EndBucket();
        }
        return writer.Finish();
    }
}
