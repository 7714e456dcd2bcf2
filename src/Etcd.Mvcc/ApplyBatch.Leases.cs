using System.Buffers.Binary;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc;

/// <summary>
/// Lease records ride in the same backend batch as the key changes they go with: a revoke
/// deletes the lease's keys and its record in one atomic commit, so a crash never leaves keys
/// of a lease that no longer exists (or the reverse).
/// </summary>
public sealed partial class ApplyBatch
{
    /// <summary>Stores <paramref name="record"/> as lease <paramref name="leaseId"/>'s entry in <see cref="Bucket.Lease"/>.</summary>
    public void PutLeaseRecord(long leaseId, ReadOnlySpan<byte> record)
    {
        ThrowIfClosed();
        Span<byte> key = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(key, leaseId);
        backendBatch.Put(Bucket.Lease, key, record);
    }

    /// <summary>Removes lease <paramref name="leaseId"/>'s entry from <see cref="Bucket.Lease"/>.</summary>
    public void DeleteLeaseRecord(long leaseId)
    {
        ThrowIfClosed();
        Span<byte> key = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(key, leaseId);
        backendBatch.Delete(Bucket.Lease, key);
    }
}
