using System.Runtime.InteropServices;

namespace Etcd.Storage.Backend.RocksDb.Native;

/// <summary>Opening and closing a database, writing to it, and its maintenance calls.</summary>
internal static unsafe partial class RocksDbNative
{
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint rocksdb_open(nint options, string name, byte** errptr);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_close(nint db);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_write(nint db, nint writeOptions, nint batch, byte** errptr);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_writeoptions_create();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_writeoptions_destroy(nint writeOptions);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_writeoptions_set_sync(nint writeOptions, byte value);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_writebatch_create();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_writebatch_destroy(nint batch);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_writebatch_put(nint batch, byte* key, nuint keyLength, byte* value, nuint valueLength);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_writebatch_delete(nint batch, byte* key, nuint keyLength);

    [LibraryImport(LibraryName)]
    public static partial int rocksdb_writebatch_count(nint batch);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_writebatch_clear(nint batch);

    /// <summary>Returns 0 and sets <paramref name="value"/> when the integer property exists.</summary>
    [LibraryImport(LibraryName)]
    public static partial int rocksdb_property_int(nint db, byte* name, ulong* value);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_compactoptions_create();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_compactoptions_destroy(nint compactOptions);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_compactoptions_set_bottommost_level_compaction(nint compactOptions, byte value);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_compact_range_opt(nint db, nint compactOptions, byte* start, nuint startLength, byte* limit, nuint limitLength);
}
