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
/// package through <see cref="RocksDbLibrary"/>: beside the resolved executable for a published
/// program, else the default probing (the native asset directories an app's deps.json lists,
/// <c>runtimes/&lt;rid&gt;/native</c>, as for the tests).
/// </remarks>
internal static unsafe partial class RocksDbNative
{
    private const string LibraryName = RocksDbLibrary.RocksDbNativeName;

    // Before the first call into the library: RocksDbLibrary decides which file it is.
    static RocksDbNative() => RocksDbLibrary.Resolve();

    [LibraryImport(LibraryName)]
    public static partial void rocksdb_free(void* ptr);
}
