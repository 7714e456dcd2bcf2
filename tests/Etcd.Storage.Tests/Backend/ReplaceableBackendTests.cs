using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;

namespace Etcd.Storage.Tests.Backend;

public sealed class ReplaceableBackendTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private RocksDbBackend Engine(string name, string value)
    {
        var engine = RocksDbBackend.Open(_temp.Combine(name));
        using var batch = engine.CreateBatch();
        batch.Put(Bucket.Key, "k"u8, System.Text.Encoding.UTF8.GetBytes(value));
        engine.Commit(batch);
        return engine;
    }

    private static string Read(IBackendReader reader) => System.Text.Encoding.UTF8.GetString(reader.Get(Bucket.Key, "k"u8)!);

    [Fact]
    public void A_view_from_before_the_swap_reads_the_old_engine_which_closes_when_the_view_is_released()
    {
        var old = Engine("old", "before");
        using var backend = new ReplaceableBackend(old);
        var view = backend.Snapshot();

        var replaced = backend.Replace(Engine("new", "after"));

        Assert.Same(old, replaced);
        Assert.Equal("before", Read(view));
        using (var now = backend.Snapshot()) Assert.Equal("after", Read(now));
        Assert.False(old.Closed.IsCompleted);
        view.Dispose();
        Assert.True(old.Closed.IsCompleted);
    }

    [Fact]
    public void A_batch_of_the_replaced_engine_is_refused_rather_than_written_to_the_new_one()
    {
        using var backend = new ReplaceableBackend(Engine("old", "before"));
        var batch = backend.CreateBatch();
        batch.Put(Bucket.Key, "k"u8, "lost"u8);
        backend.Replace(Engine("new", "after"));

        Assert.ThrowsAny<Exception>(() => backend.Commit(batch));
        using var view = backend.Snapshot();
        Assert.Equal("after", Read(view));
    }

    [Fact]
    public async Task Readers_racing_repeated_swaps_always_see_one_whole_engine()
    {
        using var backend = new ReplaceableBackend(Engine("e0", "0"));
        using var stop = new CancellationTokenSource();
        var seen = new HashSet<string>();
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var view = backend.Snapshot();
                var value = Read(view);
                Assert.True(backend.SizeBytes >= 0);
                lock (seen) seen.Add(value);
            }
        })).ToArray();
        var engines = new List<RocksDbBackend>();
        for (var n = 1; n <= 30; n++)
        {
            var next = Engine($"e{n}", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            engines.Add(next);
            backend.Replace(next);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        lock (seen) Assert.All(seen, value => Assert.InRange(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), 0, 30));
        // Every replaced engine closed once its readers were done.
        Assert.All(engines[..^1], engine => Assert.True(engine.Closed.IsCompleted));
    }
}
