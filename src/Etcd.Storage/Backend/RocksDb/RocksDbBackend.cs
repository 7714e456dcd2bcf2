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
/// <para>
/// Lifetime: the native database closes only once nothing uses it. <see cref="Dispose"/> gives up
/// the owner's reference and refuses new work; every call in progress and every open snapshot
/// holds a reference of its own, so a snapshot taken before Dispose reads on safely until it is
/// disposed, and no native handle is ever used after it was freed. <see cref="Closed"/> completes
/// when the database is really closed.
/// </para>
/// </summary>
public sealed class RocksDbBackend : IBackend
{
    private readonly nint _db;
    private readonly nint _unsyncedWrite;
    private readonly nint _syncedWrite;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    // The owner's reference (given up by Dispose), plus one per call in progress and per open snapshot.
    private int _references = 1;

    private RocksDbBackend(nint db, string directory)
    {
        _db = db;
        Location = directory;
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
            return new RocksDbBackend(db, Path.GetFullPath(directory));
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

    /// <summary>Where the database lives.</summary>
    public string Location { get; }

    /// <summary>Completes once the native database is closed: after Dispose, when the last snapshot and call let go.</summary>
    public Task Closed => _closed.Task;

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
        Acquire();
        try
        {
            byte* error = null;
            RocksDbNative.rocksdb_write(_db, sync ? _syncedWrite : _unsyncedWrite, writes.Handle, &error);
            RocksDbError.ThrowIfSet(error);
            RocksDbNative.rocksdb_writebatch_clear(writes.Handle);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>A view that keeps the database open until it is disposed, even across <see cref="Dispose"/>.</summary>
    public IBackendSnapshot Snapshot()
    {
        Acquire();
        try
        {
            return new RocksDbSnapshot(this, _db);
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Compacts the whole key range into the last level, rewriting every table file.</summary>
    public unsafe void Defragment()
    {
        Acquire();
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
            Release();
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

    /// <summary>
    /// Refuses new work and closes the database once the calls in progress and the open
    /// snapshots are done with it (at once when there are none); see <see cref="Closed"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        Release();
    }

    /// <summary>Takes a reference for a call or a snapshot; fails once the backend is disposed.</summary>
    private void Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _references++;
        }
    }

    /// <summary>Gives a reference back; the last one closes the database (RocksDB must not close under a reader).</summary>
    internal void Release()
    {
        bool last;
        lock (_gate)
        {
            last = --_references == 0;
        }
        if (!last)
        {
            return;
        }
        RocksDbNative.rocksdb_close(_db);
        RocksDbNative.rocksdb_writeoptions_destroy(_unsyncedWrite);
        RocksDbNative.rocksdb_writeoptions_destroy(_syncedWrite);
        _closed.TrySetResult();
    }

    /// <param name="name">A NUL-terminated name; a <c>u8</c> literal is one, and costs no allocation.</param>
    private unsafe ulong Property(ReadOnlySpan<byte> name)
    {
        Acquire();
        try
        {
            ulong value = 0;
            int failed;
            fixed (byte* nameBytes = name)
            {
                failed = RocksDbNative.rocksdb_property_int(_db, nameBytes, &value);
            }
            return failed == 0 ? value : 0;
        }
        finally
        {
            Release();
        }
    }
}
