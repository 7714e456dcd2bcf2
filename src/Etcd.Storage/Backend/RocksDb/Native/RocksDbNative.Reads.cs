using System.Runtime.InteropServices;

namespace Etcd.Storage.Backend.RocksDb.Native;

/// <summary>Snapshots, read options, point reads and iterators.</summary>
internal static unsafe partial class RocksDbNative
{
    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_create_snapshot(nint db);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_release_snapshot(nint db, nint snapshot);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_readoptions_create();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_readoptions_destroy(nint readOptions);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_readoptions_set_snapshot(nint readOptions, nint snapshot);

    /// <summary>RocksDB keeps the pointer, not a copy: the bound must outlive every iterator using it.</summary>
    [LibraryImport(LibraryName)]
    public static partial void rocksdb_readoptions_set_iterate_upper_bound(nint readOptions, byte* key, nuint keyLength);

    /// <summary>Returns null when the key is missing (or on error, set in <paramref name="errptr"/>).</summary>
    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_get_pinned(nint db, nint readOptions, byte* key, nuint keyLength, byte** errptr);

    [LibraryImport(LibraryName)]
    public static partial byte* rocksdb_pinnableslice_value(nint slice, nuint* length);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_pinnableslice_destroy(nint slice);

    [LibraryImport(LibraryName)]
    public static partial nint rocksdb_create_iterator(nint db, nint readOptions);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_iter_destroy(nint iterator);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_iter_seek(nint iterator, byte* key, nuint keyLength);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_iter_seek_to_first(nint iterator);

    [LibraryImport(LibraryName)]
    public static partial byte rocksdb_iter_valid(nint iterator);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_iter_next(nint iterator);

    /// <summary>The returned memory stays valid until the iterator moves or is destroyed.</summary>
    [LibraryImport(LibraryName)]
    public static partial byte* rocksdb_iter_key(nint iterator, nuint* length);

    /// <summary>The returned memory stays valid until the iterator moves or is destroyed.</summary>
    [LibraryImport(LibraryName)]
    public static partial byte* rocksdb_iter_value(nint iterator, nuint* length);

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_iter_get_error(nint iterator, byte** errptr);
}
