using System.Runtime.InteropServices;

namespace Etcd.Storage.Backend.RocksDb.Native;

/// <summary>
/// Source-generated bindings to the parts of RocksDB's C API (<c>rocksdb/c.h</c>) the backend
/// uses. They replace RocksDbSharp's managed API, which emits its bindings at run time: that cost
/// hundreds of milliseconds on every start-up and ruled out Native AOT. Handles are raw pointers
/// owned by the caller; C <c>unsigned char</c> flags are <see cref="byte"/>, <c>size_t</c> is
/// <see cref="nuint"/>, and <c>char** errptr</c> is checked with <see cref="RocksDbError"/>.
/// </summary>
/// <remarks>
/// <see cref="LibraryName"/> resolves to <c>librocksdb.so</c> from the <c>RocksDB</c> NuGet
/// package: the default probing looks in the native asset directories the app's deps.json lists
/// (<c>runtimes/&lt;rid&gt;/native</c>), or beside the executable for a RID-specific or AOT
/// publish, which is the same file RocksDbSharp loaded.
/// </remarks>
internal static unsafe partial class RocksDbNative
{
    private const string LibraryName = "rocksdb";

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_free(void* ptr);
}
