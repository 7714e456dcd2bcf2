using System.Runtime.InteropServices;

namespace Etcd.Storage.Backend.RocksDb.Native;

/// <summary>Database, table and cache options, set before open.</summary>
internal static unsafe partial class RocksDbNative
{
    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_options_create();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_destroy(nint options);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_create_if_missing(nint options, byte value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_block_based_table_factory(nint options, nint tableOptions);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_write_buffer_size(nint options, nuint value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_arena_block_size(nint options, nuint value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_max_write_buffer_number(nint options, int value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_max_total_wal_size(nint options, ulong value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_wal_recovery_mode(nint options, int mode);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_compression(nint options, int compression);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_level_compaction_dynamic_level_bytes(nint options, byte value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_increase_parallelism(nint options, int totalThreads);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_max_open_files(nint options, int value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_skip_stats_update_on_db_open(nint options, byte value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_stats_dump_period_sec(nint options, uint value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_info_log_level(nint options, int level);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_keep_log_file_num(nint options, nuint value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_options_set_max_log_file_size(nint options, nuint value);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_block_based_options_create();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_block_based_options_destroy(nint tableOptions);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_block_based_options_set_block_cache(nint tableOptions, nint cache);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_block_based_options_set_cache_index_and_filter_blocks(nint tableOptions, byte value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(nint tableOptions, byte value);

    /// <summary>The table options take ownership of <paramref name="policy"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial void rocksdb_block_based_options_set_filter_policy(nint tableOptions, nint policy);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_block_based_options_set_format_version(nint tableOptions, int version);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_filterpolicy_create_bloom_full(double bitsPerKey);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_cache_create_lru(nuint capacity);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_cache_destroy(nint cache);
}
