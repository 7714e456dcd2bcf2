using System.Runtime.InteropServices;

namespace Etcd.Storage.Backend.RocksDb.Native;

/// <summary>
/// Turns the C API's error convention into an exception: a failing call sets <c>*errptr</c> to a
/// message the library allocated, which must be freed with <c>rocksdb_free</c>.
/// </summary>
internal static unsafe class RocksDbError
{
    public static void ThrowIfSet(byte* error)
    {
        if (error is null)
        {
            return;
        }
        string message;
        try
        {
            message = Marshal.PtrToStringUTF8((nint)error) ?? "unknown error";
        }
        finally
        {
            RocksDbNative.rocksdb_free(error);
        }
        // RocksDB reports I/O errors and corruption alike; both mean the storage failed the call.
        throw new IOException($"rocksdb: {message}");
    }
}
