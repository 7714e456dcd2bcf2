using Etcd.Storage.Durability;
using RocksDbSharp;
using NativeDb = RocksDbSharp.RocksDb;

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
    private readonly NativeDb _db;
    // Held so the native objects RocksDB refers to live as long as the database.
    private readonly DbOptions _options;
    private readonly Cache _blockCache;
    private readonly WriteOptions _unsyncedWrite = new WriteOptions().SetSync(false);
    private readonly WriteOptions _syncedWrite = new WriteOptions().SetSync(true);
    private readonly Lock _gate = new();
    private readonly HashSet<RocksDbSnapshot> _openSnapshots = [];
    private bool _disposed;

    private RocksDbBackend(NativeDb db, DbOptions options, Cache blockCache)
    {
        _db = db;
        _options = options;
        _blockCache = blockCache;
    }

    /// <summary>Opens the database in <paramref name="directory"/>, creating it (and parents) when missing.</summary>
    public static RocksDbBackend Open(string directory, RocksDbBackendOptions? options = null)
    {
        options ??= new RocksDbBackendOptions();
        Directory.CreateDirectory(directory);
        var blockCache = Cache.CreateLru(options.BlockCacheBytes);
        var table = new BlockBasedTableOptions()
            .SetBlockCache(blockCache)
            // Index and filter blocks live in the cache, so the cache size bounds read memory.
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
            .SetFormatVersion(5);
        var dbOptions = new DbOptions()
            .SetCreateIfMissing(true)
            .SetBlockBasedTableFactory(table)
            .SetWriteBufferSize(options.WriteBufferBytes)
            // The memtable grows in small steps, so the size it reports follows the data it holds
            // (the default reserves an eighth of the write buffer at once): etcd's quota and db
            // size figures are computed from it.
            .SetArenaBlockSize(64 * 1024)
            .SetMaxWriteBufferNumber(2)
            .SetMaxTotalWalSize(options.MaxEngineLogBytes)
            // A torn tail of RocksDB's log after power loss drops the unsynced commits in it, in order.
            .SetWalRecoveryMode(Recovery.PointInTime)
            .SetCompression(Compression.Lz4)
            .SetLevelCompactionDynamicLevelBytes(true)
            .IncreaseParallelism(2)
            .SetMaxOpenFiles(512)
            // Opening should not read every table's properties.
            .SkipStatsUpdateOnOpen(true)
            .SetStatsDumpPeriodSec(0)
            .SetInfoLogLevel(InfoLogLevel.Warn)
            .SetKeepLogFileNum(2)
            .SetMaxLogFileSize(1024 * 1024);
        var db = NativeDb.Open(dbOptions, directory);
        return new RocksDbBackend(db, dbOptions, blockCache);
    }

    public long SizeBytes
    {
        get
        {
            // Table files including obsolete ones not yet deleted, plus unflushed data; RocksDB's
            // own log is left out as etcd's db size leaves out its WAL.
            return (long)(Property("rocksdb.total-sst-files-size") + Property("rocksdb.cur-size-all-mem-tables"));
        }
    }

    public long SizeInUseBytes
    {
        get
        {
            long live = (long)(Property("rocksdb.estimate-live-data-size") + Property("rocksdb.cur-size-all-mem-tables"));
            return Math.Min(live, SizeBytes);
        }
    }

    public IBackendBatch CreateBatch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RocksDbBatch(this);
    }

    public void Commit(IBackendBatch batch, bool sync = false)
    {
        if (batch is not RocksDbBatch writes || writes.Owner != this)
        {
            throw new ArgumentException("the batch was not created by this backend", nameof(batch));
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        _db.Write(writes.Native, sync ? _syncedWrite : _unsyncedWrite);
        writes.Native.Clear();
    }

    public IBackendSnapshot Snapshot()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var snapshot = new RocksDbSnapshot(this, _db.Handle);
            _openSnapshots.Add(snapshot);
            return snapshot;
        }
    }

    /// <summary>Compacts the whole key range into the last level, rewriting every table file.</summary>
    public void Defragment()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IntPtr compactOptions = Native.Instance.rocksdb_compactoptions_create();
        try
        {
            // 2 = kForce: rewrite the bottommost level too, else its deleted space stays.
            Native.Instance.rocksdb_compactoptions_set_bottommost_level_compaction(compactOptions, 2);
            Native.Instance.rocksdb_compact_range_opt(_db.Handle, compactOptions, IntPtr.Zero, UIntPtr.Zero, IntPtr.Zero, UIntPtr.Zero);
        }
        finally
        {
            Native.Instance.rocksdb_compactoptions_destroy(compactOptions);
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
        _db.Dispose();
        GC.KeepAlive(_options);
        GC.KeepAlive(_blockCache);
    }

    /// <summary>Drops a snapshot from the open set; false when the backend already released it.</summary>
    internal bool Forget(RocksDbSnapshot snapshot)
    {
        lock (_gate)
        {
            return _openSnapshots.Remove(snapshot);
        }
    }

    private unsafe ulong Property(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong value = 0;
        int failed = Native.Instance.rocksdb_property_int(_db.Handle, name, (IntPtr)(&value));
        return failed == 0 ? value : 0;
    }
}
