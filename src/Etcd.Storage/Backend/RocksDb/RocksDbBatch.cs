using Etcd.Storage.Backend.RocksDb.Native;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>Writes collected in a native RocksDB write batch, keys prefixed with their bucket.</summary>
internal sealed unsafe class RocksDbBatch : IBackendBatch
{
    private readonly RocksDbBackend _owner;

    public RocksDbBatch(RocksDbBackend owner)
    {
        _owner = owner;
        Handle = RocksDbNative.rocksdb_writebatch_create();
    }

    // A batch dropped without Dispose would leak its native memory, however large it grew.
    ~RocksDbBatch() => Destroy();

    internal RocksDbBackend Owner => _owner;

    internal nint Handle { get; private set; }

    public int Count
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle == 0, this);
            return RocksDbNative.rocksdb_writebatch_count(Handle);
        }
    }

    public void Put(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ObjectDisposedException.ThrowIf(Handle == 0, this);
        using var stored = new BucketKey(bucket, key, stackalloc byte[BucketKey.StackBytes]);
        fixed (byte* keyBytes = stored.Bytes)
        fixed (byte* valueBytes = value)
        {
            // The native batch copies both, so the buffers may be reused on return.
            RocksDbNative.rocksdb_writebatch_put(Handle, keyBytes, (nuint)stored.Bytes.Length, valueBytes, (nuint)value.Length);
        }
    }

    public void Delete(Bucket bucket, ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(Handle == 0, this);
        using var stored = new BucketKey(bucket, key, stackalloc byte[BucketKey.StackBytes]);
        fixed (byte* keyBytes = stored.Bytes)
        {
            RocksDbNative.rocksdb_writebatch_delete(Handle, keyBytes, (nuint)stored.Bytes.Length);
        }
    }

    public void Dispose()
    {
        Destroy();
        GC.SuppressFinalize(this);
    }

    private void Destroy()
    {
        if (Handle != 0)
        {
            RocksDbNative.rocksdb_writebatch_destroy(Handle);
            Handle = 0;
        }
    }
}
