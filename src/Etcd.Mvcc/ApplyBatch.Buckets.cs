using Etcd.Storage.Backend;

namespace Etcd.Mvcc;

/// <summary>
/// State the server keeps beside the key space (leases, members, alarms, auth) written through
/// the batch, so it commits in the same atomic backend batch as the key changes and the applied
/// index. Undone with the batch if it is disposed uncommitted. Leases have their own methods
/// (ApplyBatch.Leases.cs).
/// </summary>
public sealed partial class ApplyBatch
{
    /// <summary>Writes an entry of a bucket the store does not own itself (not Key, not Meta).</summary>
    public void PutBucketEntry(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfClosed();
        ThrowIfStoreBucket(bucket);
        backendBatch.Put(bucket, key, value);
    }

    /// <summary>Deletes an entry of a bucket the store does not own itself (not Key, not Meta).</summary>
    public void DeleteBucketEntry(Bucket bucket, ReadOnlySpan<byte> key)
    {
        ThrowIfClosed();
        ThrowIfStoreBucket(bucket);
        backendBatch.Delete(bucket, key);
    }

    private static void ThrowIfStoreBucket(Bucket bucket)
    {
        if (bucket is Bucket.Key or Bucket.Meta)
        {
            throw new ArgumentException($"bucket {bucket} is written only by the store itself", nameof(bucket));
        }
    }
}
