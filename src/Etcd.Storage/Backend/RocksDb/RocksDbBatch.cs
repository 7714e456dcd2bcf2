using RocksDbSharp;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>Writes collected in a native RocksDB write batch, keys prefixed with their bucket.</summary>
internal sealed class RocksDbBatch : IBackendBatch
{
    private readonly RocksDbBackend _owner;

    public RocksDbBatch(RocksDbBackend owner)
    {
        _owner = owner;
    }

    internal RocksDbBackend Owner => _owner;

    internal WriteBatch Native { get; } = new();

    public int Count => Native.Count();

    public unsafe void Put(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        using var stored = new BucketKey(bucket, key, stackalloc byte[BucketKey.StackBytes]);
        fixed (byte* keyBytes = stored.Bytes)
        fixed (byte* valueBytes = value)
        {
            // The native batch copies both, so the buffers may be reused on return.
            Native.Put(keyBytes, (ulong)stored.Bytes.Length, valueBytes, (ulong)value.Length, null);
        }
    }

    public unsafe void Delete(Bucket bucket, ReadOnlySpan<byte> key)
    {
        using var stored = new BucketKey(bucket, key, stackalloc byte[BucketKey.StackBytes]);
        fixed (byte* keyBytes = stored.Bytes)
        {
            Native.Delete(keyBytes, (ulong)stored.Bytes.Length, null);
        }
    }

    public void Dispose() => Native.Dispose();
}
