using System.Globalization;
using System.Runtime.CompilerServices;
using Etcd.Api.Etcdserverpb;
using Etcd.Storage.Backend.Memory;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Mvcc.Tests;

/// <summary>
/// What the index costs per key on top of the backend, for the benchmark's shape: 100,000 keys
/// of 8 bytes with 256-byte values; once with the values held in memory (the default for values
/// this small), once without.
/// </summary>
public sealed class MemoryFootprintTests(ITestOutputHelper output)
{
    private const int Keys = 100_000;

    [Theory]
    [InlineData(KvStore.DefaultMaxCachedValueBytes, 640)]
    [InlineData(0, 320)]
    public void Index_memory_per_key_stays_small(int maxCachedValueBytes, long maxBytesPerKey)
    {
        using var backend = new MemoryBackend();
        long withWrittenIndex = HeapWithWrittenStore(backend, maxCachedValueBytes);
        long backendOnly = MeasuredHeap();
        long withRestoredIndex = HeapWithReopenedStore(backend, maxCachedValueBytes);

        long written = (withWrittenIndex - backendOnly) / Keys;
        long restored = (withRestoredIndex - backendOnly) / Keys;
        output.WriteLine($"index bytes per key: {written} after writing, {restored} after reopening "
            + $"({Keys} keys, 8-byte keys, 256-byte values, values up to {maxCachedValueBytes} bytes held)");
        Assert.InRange(written, 1, maxBytesPerKey);
        Assert.InRange(restored, 1, maxBytesPerKey);
    }

    // Separate frames, so that no store outlives its measurement (debug builds keep locals alive to the end of a method).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long HeapWithWrittenStore(MemoryBackend backend, int maxCachedValueBytes)
    {
        using var store = new KvStore(backend, maxCachedValueBytes: maxCachedValueBytes);
        Fill(store);
        long heap = MeasuredHeap();
        GC.KeepAlive(store);
        return heap;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long HeapWithReopenedStore(MemoryBackend backend, int maxCachedValueBytes)
    {
        using var store = new KvStore(backend, maxCachedValueBytes: maxCachedValueBytes);
        long heap = MeasuredHeap();
        GC.KeepAlive(store);
        return heap;
    }

    private static void Fill(KvStore store)
    {
        byte[] value = new byte[256];
        new Random(1).NextBytes(value);
        for (int start = 0; start < Keys; start += 1000)
        {
            using ApplyBatch batch = store.BeginApply();
            for (int i = start; i < start + 1000; i++)
            {
                batch.Put(new PutRequest
                {
                    Key = ByteString.CopyFromUtf8(i.ToString("D8", CultureInfo.InvariantCulture)),
                    Value = ByteString.CopyFrom(value),
                });
            }
            batch.Commit();
        }
    }

    private static long MeasuredHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
