using System.Buffers;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>
/// A key as RocksDB stores it: the bucket byte, then the caller's key. Built in caller-provided
/// stack space when it fits, else in a pooled array, so a lookup does not allocate.
/// </summary>
internal ref struct BucketKey
{
    /// <summary>Stack space callers provide; longer keys go to the pool.</summary>
    public const int StackBytes = 256;

    private byte[]? _rented;

    public BucketKey(Bucket bucket, ReadOnlySpan<byte> key, Span<byte> scratch)
    {
        int length = key.Length + 1;
        if (length > scratch.Length)
        {
            _rented = ArrayPool<byte>.Shared.Rent(length);
            scratch = _rented;
        }
        Bytes = scratch[..length];
        Bytes[0] = (byte)bucket;
        key.CopyTo(Bytes[1..]);
    }

    public Span<byte> Bytes { get; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
