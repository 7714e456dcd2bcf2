using Etcd.Storage.Backend.RocksDb.Native;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>
/// A RocksDB snapshot: reads through it see the database as of its creation. It holds native
/// handles and a reference on its backend, which stays open until the snapshot is disposed. One
/// owner uses and disposes it (reads racing its own Dispose are that owner's bug).
/// Scans hand the iterator's own memory to the visitor, so they copy no key or value.
/// </summary>
internal sealed unsafe class RocksDbSnapshot : IBackendSnapshot
{
    private readonly RocksDbBackend _owner;
    private readonly nint _db;
    private nint _snapshot;
    private nint _readOptions;

    public RocksDbSnapshot(RocksDbBackend owner, nint db)
    {
        _owner = owner;
        _db = db;
        _snapshot = RocksDbNative.rocksdb_create_snapshot(db);
        _readOptions = CreateReadOptions();
    }

    public byte[]? Get(Bucket bucket, ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_snapshot == 0, this);
        using var stored = new BucketKey(bucket, key, stackalloc byte[BucketKey.StackBytes]);
        nint pinned;
        byte* error = null;
        fixed (byte* keyBytes = stored.Bytes)
        {
            pinned = RocksDbNative.rocksdb_get_pinned(_db, _readOptions, keyBytes, (nuint)stored.Bytes.Length, &error);
        }
        RocksDbError.ThrowIfSet(error);
        if (pinned == 0)
        {
            return null;
        }
        try
        {
            nuint length;
            byte* value = RocksDbNative.rocksdb_pinnableslice_value(pinned, &length);
            return new ReadOnlySpan<byte>(value, checked((int)length)).ToArray();
        }
        finally
        {
            RocksDbNative.rocksdb_pinnableslice_destroy(pinned);
        }
    }

    public void Scan(Bucket bucket, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ScanVisitor visit)
    {
        ObjectDisposedException.ThrowIf(_snapshot == 0, this);
        using var start = new BucketKey(bucket, from, stackalloc byte[BucketKey.StackBytes]);
        // An empty end means the end of the bucket: the first key of the next bucket.
        using var end = to.IsEmpty
            ? new BucketKey(bucket + 1, [], stackalloc byte[1])
            : new BucketKey(bucket, to, stackalloc byte[BucketKey.StackBytes]);
        nint readOptions = CreateReadOptions();
        try
        {
            fixed (byte* startBytes = start.Bytes)
            fixed (byte* endBytes = end.Bytes)
            {
                // RocksDB keeps a pointer to the bound, not a copy: it must stay fixed while iterating.
                RocksDbNative.rocksdb_readoptions_set_iterate_upper_bound(readOptions, endBytes, (nuint)end.Bytes.Length);
                nint iterator = RocksDbNative.rocksdb_create_iterator(_db, readOptions);
                try
                {
                    RocksDbNative.rocksdb_iter_seek(iterator, startBytes, (nuint)start.Bytes.Length);
                    while (RocksDbNative.rocksdb_iter_valid(iterator) != 0)
                    {
                        nuint keyLength, valueLength;
                        byte* keyBytes = RocksDbNative.rocksdb_iter_key(iterator, &keyLength);
                        byte* valueBytes = RocksDbNative.rocksdb_iter_value(iterator, &valueLength);
                        // Skip the bucket byte; the iterator's memory stays valid until it moves.
                        var userKey = new ReadOnlySpan<byte>(keyBytes + 1, (int)keyLength - 1);
                        var value = new ReadOnlySpan<byte>(valueBytes, (int)valueLength);
                        if (!visit(userKey, value))
                        {
                            return;
                        }
                        RocksDbNative.rocksdb_iter_next(iterator);
                    }
                    // An iterator also turns invalid on an I/O error; this throws if that is why it stopped.
                    ThrowIfFailed(iterator);
                }
                finally
                {
                    RocksDbNative.rocksdb_iter_destroy(iterator);
                }
            }
        }
        finally
        {
            RocksDbNative.rocksdb_readoptions_destroy(readOptions);
        }
    }

    /// <summary>Visits every stored pair in (bucket, key) order; used to write a backend archive.</summary>
    internal void ScanAll(BackendArchiveWriter writer)
    {
        ObjectDisposedException.ThrowIf(_snapshot == 0, this);
        nint iterator = RocksDbNative.rocksdb_create_iterator(_db, _readOptions);
        try
        {
            RocksDbNative.rocksdb_iter_seek_to_first(iterator);
            while (RocksDbNative.rocksdb_iter_valid(iterator) != 0)
            {
                nuint keyLength, valueLength;
                byte* keyBytes = RocksDbNative.rocksdb_iter_key(iterator, &keyLength);
                byte* valueBytes = RocksDbNative.rocksdb_iter_value(iterator, &valueLength);
                var key = new ReadOnlySpan<byte>(keyBytes, (int)keyLength);
                writer.Add((Bucket)key[0], key[1..], new ReadOnlySpan<byte>(valueBytes, (int)valueLength));
                RocksDbNative.rocksdb_iter_next(iterator);
            }
            ThrowIfFailed(iterator);
        }
        finally
        {
            RocksDbNative.rocksdb_iter_destroy(iterator);
        }
    }

    /// <summary>Frees the native handles, then lets the backend close if it was waiting for this view.</summary>
    public void Dispose()
    {
        nint snapshot = Interlocked.Exchange(ref _snapshot, 0);
        if (snapshot == 0)
        {
            return;
        }
        RocksDbNative.rocksdb_readoptions_destroy(_readOptions);
        RocksDbNative.rocksdb_release_snapshot(_db, snapshot);
        _readOptions = 0;
        _owner.Release();
    }

    private static void ThrowIfFailed(nint iterator)
    {
        byte* error = null;
        RocksDbNative.rocksdb_iter_get_error(iterator, &error);
        RocksDbError.ThrowIfSet(error);
    }

    private nint CreateReadOptions()
    {
        nint options = RocksDbNative.rocksdb_readoptions_create();
        RocksDbNative.rocksdb_readoptions_set_snapshot(options, _snapshot);
        return options;
    }
}
