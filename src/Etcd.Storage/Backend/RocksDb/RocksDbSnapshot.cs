using RocksDbSharp;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>
/// A RocksDB snapshot: reads through it see the database as of its creation. It holds native
/// handles, so it must be disposed (the owning backend disposes any left open when it closes).
/// Reads call the native API directly: RocksDbSharp's wrappers would copy every key and value
/// into a new array and leave read options to a finalizer.
/// </summary>
internal sealed unsafe class RocksDbSnapshot : IBackendSnapshot
{
    private readonly RocksDbBackend _owner;
    private readonly IntPtr _db;
    private IntPtr _snapshot;
    private IntPtr _readOptions;

    public RocksDbSnapshot(RocksDbBackend owner, IntPtr db)
    {
        _owner = owner;
        _db = db;
        _snapshot = Native.Instance.rocksdb_create_snapshot(db);
        _readOptions = CreateReadOptions();
    }

    public byte[]? Get(Bucket bucket, ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_snapshot == IntPtr.Zero, this);
        using var stored = new BucketKey(bucket, key, stackalloc byte[BucketKey.StackBytes]);
        IntPtr pinned;
        fixed (byte* keyBytes = stored.Bytes)
        {
            pinned = Native.Instance.rocksdb_get_pinned(_db, _readOptions, keyBytes, (UIntPtr)stored.Bytes.Length);
        }
        if (pinned == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            IntPtr value = Native.Instance.rocksdb_pinnableslice_value(pinned, out UIntPtr length);
            return new ReadOnlySpan<byte>((void*)value, checked((int)length)).ToArray();
        }
        finally
        {
            Native.Instance.rocksdb_pinnableslice_destroy(pinned);
        }
    }

    public void Scan(Bucket bucket, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ScanVisitor visit)
    {
        ObjectDisposedException.ThrowIf(_snapshot == IntPtr.Zero, this);
        using var start = new BucketKey(bucket, from, stackalloc byte[BucketKey.StackBytes]);
        // An empty end means the end of the bucket: the first key of the next bucket.
        using var end = to.IsEmpty
            ? new BucketKey(bucket + 1, [], stackalloc byte[1])
            : new BucketKey(bucket, to, stackalloc byte[BucketKey.StackBytes]);
        IntPtr readOptions = CreateReadOptions();
        try
        {
            fixed (byte* startBytes = start.Bytes)
            fixed (byte* endBytes = end.Bytes)
            {
                // RocksDB keeps a pointer to the bound, not a copy: it must stay fixed while iterating.
                Native.Instance.rocksdb_readoptions_set_iterate_upper_bound(readOptions, endBytes, (UIntPtr)end.Bytes.Length);
                IntPtr iterator = Native.Instance.rocksdb_create_iterator(_db, readOptions);
                try
                {
                    Native.Instance.rocksdb_iter_seek(iterator, startBytes, (UIntPtr)start.Bytes.Length);
                    while (Native.Instance.rocksdb_iter_valid(iterator) != 0)
                    {
                        IntPtr keyBytes = Native.Instance.rocksdb_iter_key(iterator, out UIntPtr keyLength);
                        IntPtr valueBytes = Native.Instance.rocksdb_iter_value(iterator, out UIntPtr valueLength);
                        // Skip the bucket byte; the iterator's memory stays valid until it moves.
                        var userKey = new ReadOnlySpan<byte>((byte*)keyBytes + 1, (int)keyLength - 1);
                        var value = new ReadOnlySpan<byte>((void*)valueBytes, (int)valueLength);
                        if (!visit(userKey, value))
                        {
                            return;
                        }
                        Native.Instance.rocksdb_iter_next(iterator);
                    }
                    // An iterator also turns invalid on an I/O error; this throws if that is why it stopped.
                    Native.Instance.rocksdb_iter_get_error(iterator);
                }
                finally
                {
                    Native.Instance.rocksdb_iter_destroy(iterator);
                }
            }
        }
        finally
        {
            Native.Instance.rocksdb_readoptions_destroy(readOptions);
        }
    }

    /// <summary>Visits every stored pair in (bucket, key) order; used to write a backend archive.</summary>
    internal void ScanAll(BackendArchiveWriter writer)
    {
        ObjectDisposedException.ThrowIf(_snapshot == IntPtr.Zero, this);
        IntPtr iterator = Native.Instance.rocksdb_create_iterator(_db, _readOptions);
        try
        {
            Native.Instance.rocksdb_iter_seek_to_first(iterator);
            while (Native.Instance.rocksdb_iter_valid(iterator) != 0)
            {
                IntPtr keyBytes = Native.Instance.rocksdb_iter_key(iterator, out UIntPtr keyLength);
                IntPtr valueBytes = Native.Instance.rocksdb_iter_value(iterator, out UIntPtr valueLength);
                var key = new ReadOnlySpan<byte>((void*)keyBytes, (int)keyLength);
                writer.Add((Bucket)key[0], key[1..], new ReadOnlySpan<byte>((void*)valueBytes, (int)valueLength));
                Native.Instance.rocksdb_iter_next(iterator);
            }
            Native.Instance.rocksdb_iter_get_error(iterator);
        }
        finally
        {
            Native.Instance.rocksdb_iter_destroy(iterator);
        }
    }

    public void Dispose()
    {
        if (_owner.Forget(this))
        {
            Release();
        }
    }

    /// <summary>Frees the native handles; called once, by <see cref="Dispose"/> or by the closing backend.</summary>
    internal void Release()
    {
        if (_snapshot == IntPtr.Zero)
        {
            return;
        }
        Native.Instance.rocksdb_readoptions_destroy(_readOptions);
        Native.Instance.rocksdb_release_snapshot(_db, _snapshot);
        _readOptions = IntPtr.Zero;
        _snapshot = IntPtr.Zero;
    }

    private IntPtr CreateReadOptions()
    {
        IntPtr options = Native.Instance.rocksdb_readoptions_create();
        Native.Instance.rocksdb_readoptions_set_snapshot(options, _snapshot);
        return options;
    }
}
