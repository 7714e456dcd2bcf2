using Etcd.Storage.Backend.RocksDb.Native;
using Etcd.Storage.Durability;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>
/// The production <see cref="IBackend"/>: one RocksDB database in a directory (the server uses
/// <c>&lt;data-dir&gt;/member/snap/db</c>), each bucket a one-byte key prefix in the default column
/// family, so a batch spanning buckets is one atomic RocksDB write.
/// <para>
/// Durability choice: RocksDB's own log stays on for every commit, and a commit without sync
/// is written to it but not fsynced. The alternative, skipping that log for unsynced commits,
/// saves one buffered write per commit but breaks the batch-prefix guarantee of
/// <see cref="IBackend.Commit"/>: a later synced commit would land in the log while earlier
/// unlogged ones sat only in the memtable, and a crash would recover the later without the
/// earlier. With the log on, a killed process loses nothing (the OS holds the log), a power
/// failure loses at most the commits since the last sync and always as a suffix (point-in-time
/// recovery), and a commit with sync is durable with all before it. The server commits without
/// sync and replays its Raft WAL from the applied index stored in the backend; it must commit with
/// sync before it releases WAL segments.
/// </para>
/// </summary>
public sealed class RocksDbBackend : IBackend
{
    private readonly nint _db;
    private readonly nint _unsyncedWrite;
    private readonly nint _syncedWrite;
    private readonly Lock _gate = new();
    private readonly HashSet<RocksDbSnapshot> _openSnapshots = [];
    private bool _disposed;

    private RocksDbBackend(nint db)
    {
        _db = db;
        _unsyncedWrite = RocksDbNative.rocksdb_writeoptions_create();
        RocksDbNative.rocksdb_writeoptions_set_sync(_unsyncedWrite, 0);
        _syncedWrite = RocksDbNative.rocksdb_writeoptions_create();
        RocksDbNative.rocksdb_writeoptions_set_sync(_syncedWrite, 1);
    }

    /// <summary>Opens the database in <paramref name="directory"/>, creating it (and parents) when missing.</summary>
    public static unsafe RocksDbBackend Open(string directory, RocksDbBackendOptions? options = null)
    {
        options ??= new RocksDbBackendOptions();
        Directory.CreateDirectory(directory);
        nint dbOptions = RocksDbOpenOptions.Create(options);
        try
        {
            byte* error = null;
            nint db = RocksDbNative.rocksdb_open(dbOptions, directory, &error);
            RocksDbError.ThrowIfSet(error);
            return new RocksDbBackend(db);
        }
        finally
        {
            // The database keeps its own copy of the options.
            RocksDbNative.rocksdb_options_destroy(dbOptions);
        }
    }

    public long SizeBytes
    {
        get
        {
            // Table files including obsolete ones not yet deleted, plus unflushed data; RocksDB's
            // own log is left out as etcd's db size leaves out its WAL.
            return (long)(Property("rocksdb.total-sst-files-size"u8) + Property("rocksdb.cur-size-all-mem-tables"u8));
        }
    }

    public long SizeInUseBytes
    {
        get
        {
            long live = (long)(Property("rocksdb.estimate-live-data-size"u8) + Property("rocksdb.cur-size-all-mem-tables"u8));
            return Math.Min(live, SizeBytes);
        }
    }

    public IBackendBatch CreateBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RocksDbBatch(this);
    }

    public unsafe void Commit(IBackendBatch batch, bool sync = false)
    {
        if (batch is not RocksDbBatch writes || writes.Owner != this)
        {
            throw new ArgumentException("the batch was not created by this backend", nameof(batch));
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte* error = null;
        RocksDbNative.rocksdb_write(_db, sync ? _syncedWrite : _unsyncedWrite, writes.Handle, &error);
        RocksDbError.ThrowIfSet(error);
        RocksDbNative.rocksdb_writebatch_clear(writes.Handle);
    }

    public IBackendSnapshot Snapshot()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var snapshot = new RocksDbSnapshot(this, _db);
            _openSnapshots.Add(snapshot);
            return snapshot;
        }
    }

    /// <summary>Compacts the whole key range into the last level, rewriting every table file.</summary>
    public unsafe void Defragment()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        nint compactOptions = RocksDbNative.rocksdb_compactoptions_create();
        try
        {
            // 2 = kForce: rewrite the bottommost level too, else its deleted space stays.
            RocksDbNative.rocksdb_compactoptions_set_bottommost_level_compaction(compactOptions, 2);
            RocksDbNative.rocksdb_compact_range_opt(_db, compactOptions, null, 0, null, 0);
        }
        finally
        {
            RocksDbNative.rocksdb_compactoptions_destroy(compactOptions);
        }
    }

    public void WriteSnapshotTo(Stream destination)
    {
        using var snapshot = (RocksDbSnapshot)Snapshot();
        using var writer = new BackendArchiveWriter(destination);
        snapshot.ScanAll(writer);
        writer.Finish();
    }

    /// <summary>
    /// Creates the database in <paramref name="directory"/> from a stream
    /// <see cref="IBackend.WriteSnapshotTo"/> wrote (by any engine). The directory must be missing
    /// or empty. The restore is built beside it and renamed into place only once the whole stream
    /// checked out, so a truncated or corrupt stream (<see cref="InvalidDataException"/>) leaves
    /// nothing behind. Open the result with <see cref="Open"/>.
    /// </summary>
    public static void RestoreFrom(Stream source, string directory)
    {
        directory = Path.GetFullPath(directory);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new IOException($"backend restore: {directory} is not empty");
        }
        string staging = directory + ".restoring";
        if (Directory.Exists(staging))
        {
            // Left by a restore that crashed; it never became the database.
            Directory.Delete(staging, recursive: true);
        }
        try
        {
            using (var backend = Open(staging))
            {
                const int CommitEveryPairs = 10_000;
                using var batch = backend.CreateBatch();
                BackendArchiveReader.Read(source, (bucket, key, value) =>
                {
                    batch.Put(bucket, key, value);
                    if (batch.Count >= CommitEveryPairs)
                    {
                        backend.Commit(batch);
                    }
                });
                backend.Commit(batch, sync: true);
            }
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory);
            }
            Directory.Move(staging, directory);
            DirectorySync.Flush(Path.GetDirectoryName(directory)!);
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
            throw;
        }
    }

    /// <summary>Closes the database; snapshots still open are released and unusable afterwards.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            // RocksDB must not close with snapshots outstanding.
            foreach (var snapshot in _openSnapshots)
            {
                snapshot.Release();
            }
            _openSnapshots.Clear();
        }
        RocksDbNative.rocksdb_close(_db);
        RocksDbNative.rocksdb_writeoptions_destroy(_unsyncedWrite);
        RocksDbNative.rocksdb_writeoptions_destroy(_syncedWrite);
    }

    /// <summary>Drops a snapshot from the open set; false when the backend already released it.</summary>
    internal bool Forget(RocksDbSnapshot snapshot)
    {
        lock (_gate)
        {
            return _openSnapshots.Remove(snapshot);
        }
    }

    /// <param name="name">A NUL-terminated name; a <c>u8</c> literal is one, and costs no allocation.</param>
    private unsafe ulong Property(ReadOnlySpan<byte> name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong value = 0;
        int failed;
        fixed (byte* nameBytes = name)
        {
            failed = RocksDbNative.rocksdb_property_int(_db, nameBytes, &value);
        }
        return failed == 0 ? value : 0;
    }
}
