using System.Text;
using Etcd.Storage.Backend;

namespace Etcd.Storage.Tests.Backend;

/// <summary>What every <see cref="IBackend"/> engine must do; one subclass per engine.</summary>
public abstract class BackendContractTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    protected abstract IBackend CreateBackend();

    /// <summary>Restores a stream written by <see cref="IBackend.WriteSnapshotTo"/> into a new engine.</summary>
    protected abstract IBackend Restore(Stream archive);

    public virtual void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Every how many bytes the damage tests cut or flip an archive; engines slow to restore skip some.</summary>
    protected virtual int DamageStride => 1;

    protected T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    protected static void Put(IBackend backend, Bucket bucket, string key, string value, bool sync = false)
    {
        using var batch = backend.CreateBatch();
        batch.Put(bucket, B(key), B(value));
        backend.Commit(batch, sync);
    }

    protected static string? Get(IBackend backend, Bucket bucket, string key)
    {
        using var snapshot = backend.Snapshot();
        byte[]? value = snapshot.Get(bucket, B(key));
        return value is null ? null : Encoding.UTF8.GetString(value);
    }

    protected static List<string> Scan(IBackendReader reader, Bucket bucket, string from = "", string to = "", int limit = int.MaxValue)
    {
        var pairs = new List<string>();
        reader.Scan(bucket, B(from), B(to), (key, value) =>
        {
            pairs.Add(Encoding.UTF8.GetString(key) + "=" + Encoding.UTF8.GetString(value));
            return pairs.Count < limit;
        });
        return pairs;
    }

    [Fact]
    public void Put_then_get_returns_the_value_and_missing_keys_are_null()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Key, "a", "1");
        Assert.Equal("1", Get(backend, Bucket.Key, "a"));
        Assert.Null(Get(backend, Bucket.Key, "b"));
    }

    [Fact]
    public void Buckets_are_separate_keyspaces()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Key, "k", "in-key");
        Put(backend, Bucket.Meta, "k", "in-meta");
        Put(backend, Bucket.Lease, "z", "lease");
        Assert.Equal("in-key", Get(backend, Bucket.Key, "k"));
        Assert.Equal("in-meta", Get(backend, Bucket.Meta, "k"));
        Assert.Null(Get(backend, Bucket.Auth, "k"));

        using var snapshot = backend.Snapshot();
        Assert.Equal(["k=in-key"], Scan(snapshot, Bucket.Key));
        Assert.Equal(["k=in-meta"], Scan(snapshot, Bucket.Meta));
        Assert.Empty(Scan(snapshot, Bucket.Alarm));
    }

    [Fact]
    public void Overwrite_and_delete()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Key, "a", "1");
        Put(backend, Bucket.Key, "a", "2");
        Assert.Equal("2", Get(backend, Bucket.Key, "a"));

        using (var batch = backend.CreateBatch())
        {
            batch.Delete(Bucket.Key, B("a"));
            batch.Delete(Bucket.Key, B("never-existed"));
            backend.Commit(batch);
        }
        Assert.Null(Get(backend, Bucket.Key, "a"));
    }

    [Fact]
    public void Empty_keys_and_values_are_stored()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Meta, "", "");
        Put(backend, Bucket.Meta, "k", "");
        Assert.Equal("", Get(backend, Bucket.Meta, ""));
        Assert.Equal("", Get(backend, Bucket.Meta, "k"));
        using var snapshot = backend.Snapshot();
        Assert.Equal(["=", "k="], Scan(snapshot, Bucket.Meta));
    }

    [Fact]
    public void Scan_honours_range_order_and_early_stop()
    {
        var backend = Own(CreateBackend());
        using (var batch = backend.CreateBatch())
        {
            foreach (string key in new[] { "d", "b", "a", "c", "e", "b\0", "\xff" })
            {
                batch.Put(Bucket.Key, B(key), B(key + "!"));
            }
            // Neighbouring buckets must not leak into the scan.
            batch.Put(Bucket.Cluster, B("a"), B("x"));
            batch.Put(Bucket.Meta, B("zz"), B("y"));
            backend.Commit(batch);
        }
        using var snapshot = backend.Snapshot();
        Assert.Equal(["a=a!", "b=b!", "b\0=b\0!", "c=c!", "d=d!", "e=e!", "\xff=\xff!"], Scan(snapshot, Bucket.Key));
        Assert.Equal(["b=b!", "b\0=b\0!", "c=c!"], Scan(snapshot, Bucket.Key, "b", "d"));
        Assert.Equal(["c=c!", "d=d!", "e=e!", "\xff=\xff!"], Scan(snapshot, Bucket.Key, "b\u0001"));
        Assert.Equal(["a=a!", "b=b!"], Scan(snapshot, Bucket.Key, limit: 2));
        Assert.Empty(Scan(snapshot, Bucket.Key, "d", "d"));
        Assert.Empty(Scan(snapshot, Bucket.Key, "x", "b"));
    }

    [Fact]
    public void Scan_covers_the_last_bucket_and_keys_of_all_ones()
    {
        var backend = Own(CreateBackend());
        byte[] high = [0xff, 0xff, 0xff];
        using (var batch = backend.CreateBatch())
        {
            batch.Put(Bucket.Cluster, high, [1]);
            batch.Put(Bucket.Cluster, [0], [2]);
            backend.Commit(batch);
        }
        using var snapshot = backend.Snapshot();
        var keys = new List<byte[]>();
        snapshot.Scan(Bucket.Cluster, [], [], (key, _) =>
        {
            keys.Add(key.ToArray());
            return true;
        });
        Assert.Equal([[0], high], keys);
    }

    [Fact]
    public void A_batch_is_invisible_until_commit_and_then_visible_whole()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Key, "gone", "x");
        using var batch = backend.CreateBatch();
        batch.Put(Bucket.Key, B("a"), B("1"));
        batch.Put(Bucket.Meta, B("applied"), B("7"));
        batch.Delete(Bucket.Key, B("gone"));
        batch.Put(Bucket.Key, B("a"), B("2"));
        Assert.Equal(4, batch.Count);

        Assert.Null(Get(backend, Bucket.Key, "a"));
        Assert.Equal("x", Get(backend, Bucket.Key, "gone"));

        backend.Commit(batch);
        Assert.Equal(0, batch.Count);
        Assert.Equal("2", Get(backend, Bucket.Key, "a"));
        Assert.Equal("7", Get(backend, Bucket.Meta, "applied"));
        Assert.Null(Get(backend, Bucket.Key, "gone"));

        // The emptied batch is reusable.
        batch.Put(Bucket.Key, B("b"), B("3"));
        backend.Commit(batch, sync: true);
        Assert.Equal("3", Get(backend, Bucket.Key, "b"));
    }

    [Fact]
    public void A_snapshot_does_not_see_later_commits()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Key, "a", "old");
        Put(backend, Bucket.Key, "b", "old");
        using var snapshot = backend.Snapshot();

        Put(backend, Bucket.Key, "a", "new");
        Put(backend, Bucket.Key, "c", "new");
        using (var batch = backend.CreateBatch())
        {
            batch.Delete(Bucket.Key, B("b"));
            backend.Commit(batch);
        }

        Assert.Equal("old", Encoding.UTF8.GetString(snapshot.Get(Bucket.Key, B("a"))!));
        Assert.Equal(["a=old", "b=old"], Scan(snapshot, Bucket.Key));
        using var later = backend.Snapshot();
        Assert.Equal(["a=new", "c=new"], Scan(later, Bucket.Key));
    }

    [Fact]
    public void Sizes_grow_with_data_and_in_use_never_exceeds_total()
    {
        var backend = Own(CreateBackend());
        long before = backend.SizeBytes;
        var value = new byte[1000];
        new Random(7).NextBytes(value);
        using (var batch = backend.CreateBatch())
        {
            for (int i = 0; i < 2000; i++)
            {
                batch.Put(Bucket.Key, B($"key-{i:D6}"), value);
            }
            backend.Commit(batch, sync: true);
        }
        Assert.True(backend.SizeBytes > before + 1_000_000, $"size {backend.SizeBytes} after 2 MB of writes");
        Assert.True(backend.SizeInUseBytes > 0);
        Assert.True(backend.SizeInUseBytes <= backend.SizeBytes);

        using (var batch = backend.CreateBatch())
        {
            for (int i = 0; i < 2000; i++)
            {
                batch.Delete(Bucket.Key, B($"key-{i:D6}"));
            }
            backend.Commit(batch, sync: true);
        }
        backend.Defragment();
        Assert.True(backend.SizeBytes < 1_000_000, $"size {backend.SizeBytes} after deleting all and defragmenting");
        Assert.True(backend.SizeInUseBytes <= backend.SizeBytes);
    }

    [Fact]
    public void Defragment_keeps_the_data()
    {
        var backend = Own(CreateBackend());
        for (int i = 0; i < 100; i++)
        {
            Put(backend, Bucket.Key, $"k{i:D3}", $"v{i}");
        }
        backend.Defragment();
        using var snapshot = backend.Snapshot();
        Assert.Equal(100, Scan(snapshot, Bucket.Key).Count);
        Assert.Equal("v42", Get(backend, Bucket.Key, "k042"));
    }

    [Fact]
    public void WriteSnapshotTo_and_restore_round_trip_every_bucket()
    {
        var backend = Own(CreateBackend());
        var expected = new Dictionary<Bucket, List<string>>();
        using (var batch = backend.CreateBatch())
        {
            foreach (Bucket bucket in Enum.GetValues<Bucket>())
            {
                var pairs = new List<string>();
                for (int i = 0; i < 20; i++)
                {
                    string key = $"{bucket}-{i:D2}";
                    string value = new('v', i * 50);
                    batch.Put(bucket, B(key), B(value));
                    pairs.Add(key + "=" + value);
                }
                expected[bucket] = pairs;
            }
            batch.Put(Bucket.Key, B("~big"), new byte[200_000]);
            expected[Bucket.Key].Add("~big=" + new string('\0', 200_000));
            backend.Commit(batch);
        }

        using var archive = new MemoryStream();
        backend.WriteSnapshotTo(archive);
        archive.Position = 0;
        var restored = Own(Restore(archive));
        using var snapshot = restored.Snapshot();
        foreach (Bucket bucket in Enum.GetValues<Bucket>())
        {
            Assert.Equal(expected[bucket], Scan(snapshot, bucket));
        }
    }

    [Fact]
    public void Restore_rejects_a_damaged_archive()
    {
        var backend = Own(CreateBackend());
        Put(backend, Bucket.Key, "a", "1");
        Put(backend, Bucket.Meta, "b", "2");
        using var archive = new MemoryStream();
        backend.WriteSnapshotTo(archive);
        byte[] bytes = archive.ToArray();

        for (int cut = 0; cut < bytes.Length; cut += DamageStride)
        {
            Assert.Throws<InvalidDataException>(() => Own(Restore(new MemoryStream(bytes, 0, cut))));
        }
        for (int flip = 0; flip < bytes.Length; flip += DamageStride)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[flip] ^= 0x40;
            Assert.Throws<InvalidDataException>(() => Own(Restore(new MemoryStream(damaged))));
        }
    }
}
