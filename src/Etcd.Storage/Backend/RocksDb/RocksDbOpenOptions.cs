using Etcd.Storage.Backend.RocksDb.Native;

namespace Etcd.Storage.Backend.RocksDb;

/// <summary>
/// Builds the native options <see cref="RocksDbBackend"/> opens its database with. RocksDB copies
/// them into the database on open (the table factory, block cache and filter policy by shared
/// ownership), so the caller destroys them right after the open.
/// </summary>
internal static class RocksDbOpenOptions
{
    // Values of the C API's enums in rocksdb/c.h.
    private const int PointInTimeRecovery = 2; // rocksdb_point_in_time_recovery
    private const int Lz4Compression = 4; // rocksdb_lz4_compression
    private const int WarnLogLevel = 2; // rocksdb_warn_info_log_level

    /// <summary>Returns a <c>rocksdb_options_t</c> to destroy with <c>rocksdb_options_destroy</c>.</summary>
    public static nint Create(RocksDbBackendOptions options)
    {
        nint cache = RocksDbNative.rocksdb_cache_create_lru(checked((nuint)options.BlockCacheBytes));
        nint table = RocksDbNative.rocksdb_block_based_options_create();
        nint db = RocksDbNative.rocksdb_options_create();
        try
        {
            RocksDbNative.rocksdb_block_based_options_set_block_cache(table, cache);
            // Index and filter blocks live in the cache, so the cache size bounds read memory.
            RocksDbNative.rocksdb_block_based_options_set_cache_index_and_filter_blocks(table, 1);
            RocksDbNative.rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(table, 1);
            // 10 bits per key, full (not block-based) filters; the table options own the policy.
            RocksDbNative.rocksdb_block_based_options_set_filter_policy(table, RocksDbNative.rocksdb_filterpolicy_create_bloom_full(10));
            RocksDbNative.rocksdb_block_based_options_set_format_version(table, 5);

            RocksDbNative.rocksdb_options_set_create_if_missing(db, 1);
            RocksDbNative.rocksdb_options_set_block_based_table_factory(db, table);
            RocksDbNative.rocksdb_options_set_write_buffer_size(db, checked((nuint)options.WriteBufferBytes));
            // The memtable grows in small steps, so the size it reports follows the data it holds
            // (the default reserves an eighth of the write buffer at once): etcd's quota and db
            // size figures are computed from it.
            RocksDbNative.rocksdb_options_set_arena_block_size(db, 64 * 1024);
            RocksDbNative.rocksdb_options_set_max_write_buffer_number(db, 2);
            RocksDbNative.rocksdb_options_set_max_total_wal_size(db, options.MaxEngineLogBytes);
            // A torn tail of RocksDB's log after power loss drops the unsynced commits in it, in order.
            RocksDbNative.rocksdb_options_set_wal_recovery_mode(db, PointInTimeRecovery);
            RocksDbNative.rocksdb_options_set_compression(db, Lz4Compression);
            RocksDbNative.rocksdb_options_set_level_compaction_dynamic_level_bytes(db, 1);
            RocksDbNative.rocksdb_options_increase_parallelism(db, 2);
            RocksDbNative.rocksdb_options_set_max_open_files(db, 512);
            // Opening should not read every table's properties.
            RocksDbNative.rocksdb_options_set_skip_stats_update_on_db_open(db, 1);
            RocksDbNative.rocksdb_options_set_stats_dump_period_sec(db, 0);
            RocksDbNative.rocksdb_options_set_info_log_level(db, WarnLogLevel);
            RocksDbNative.rocksdb_options_set_keep_log_file_num(db, 2);
            RocksDbNative.rocksdb_options_set_max_log_file_size(db, 1024 * 1024);
            return db;
        }
        catch
        {
            RocksDbNative.rocksdb_options_destroy(db);
            throw;
        }
        finally
        {
            // The options hold their own references to the table factory and the cache.
            RocksDbNative.rocksdb_block_based_options_destroy(table);
            RocksDbNative.rocksdb_cache_destroy(cache);
        }
    }
}
