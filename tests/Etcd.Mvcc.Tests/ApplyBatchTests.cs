using Etcd.Api.Etcdserverpb;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc.Tests;

public sealed class ApplyBatchTests : IDisposable
{
    private readonly TestStore store = new(new FixedLeases(1));

    public void Dispose() => store.Dispose();

    [Fact]
    public void Changes_become_visible_to_readers_only_at_commit()
    {
        store.Put("a", "old");
        using ApplyBatch batch = store.Store.BeginApply();
        batch.Put(Put("a", "new"));
        batch.Put(Put("b", "new"));
        batch.DeleteRange(new DeleteRangeRequest { Key = TestStore.B("a") });

        Assert.Equal(5, batch.Revision);
        Assert.Equal(2, store.Store.CurrentRevision);
        Assert.Equal(["a=old"], store.Values(All()));

        batch.Commit();

        Assert.Equal(5, store.Store.CurrentRevision);
        Assert.Equal(["b=new"], store.Values(All()));
        Assert.Equal(["a=new"], store.Values(new RangeRequest { Key = TestStore.B("a"), Revision = 3 }));
    }

    [Fact]
    public void Transactions_in_a_batch_read_earlier_uncommitted_revisions()
    {
        using ApplyBatch batch = store.Store.BeginApply();
        batch.Put(Put("a", "1"));
        batch.Put(Put("a", "2"));

        TxnResponse response = batch.Txn(Ops.Txn([], [Ops.Get("a", revision: 2), Ops.Get("a")]));

        Assert.Equal("1", Assert.Single(response.Responses[0].ResponseRange.Kvs).Value.ToStringUtf8());
        Assert.Equal("2", Assert.Single(response.Responses[1].ResponseRange.Kvs).Value.ToStringUtf8());
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal(MvccErrorKind.FutureRevision, Assert.Throws<MvccException>(() => batch.Txn(Ops.Txn([], [Ops.Get("a", revision: 4)]))).Kind);
        batch.Commit();
    }

    [Fact]
    public void A_failing_request_leaves_no_trace_and_the_batch_goes_on()
    {
        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.Put(Put("a", "1"));
            Assert.Throws<MvccException>(() => batch.Txn(Ops.Txn([], [Ops.Put("x", "1"), Ops.Put("y", "1", lease: 2)])));
            Assert.Throws<MvccException>(() => batch.Put(new PutRequest { Key = TestStore.B("z"), Lease = 3 }));
            Assert.Throws<MvccException>(() => batch.Compact(new CompactionRequest { Revision = 50 }));
            batch.Put(Put("b", "1"));
            batch.Commit();
        }

        Assert.Equal(["a=1", "b=1"], store.Values(All()));
        Assert.Equal(3, store.Store.CurrentRevision);
        Assert.Equal(["2_0", "3_0"], store.RecordKeys());
    }

    [Fact]
    public void Disposing_an_uncommitted_batch_undoes_it()
    {
        store.Put("a", "1", lease: 1);
        store.Put("b", "1");
        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.Put(Put("a", "2"));
            batch.Put(Put("c", "new", lease: 1));
            batch.DeleteRange(new DeleteRangeRequest { Key = TestStore.B("b") });
            batch.Txn(Ops.Txn([], [Ops.Delete("a"), Ops.Put("a", "3")]));
            batch.Compact(new CompactionRequest { Revision = 3 });
            batch.SetConsistentIndex(9, 9);
        }

        Assert.Equal(3, store.Store.CurrentRevision);
        Assert.Equal(-1, store.Store.CompactRevision);
        Assert.Equal(0ul, store.Store.ConsistentIndex);
        Assert.Equal(2, store.Store.IndexedKeyCount);
        Assert.Equal(["a"], store.Store.KeysWithLease(1).Select(k => System.Text.Encoding.UTF8.GetString(k)));
        Assert.Equal(["2_0", "3_0"], store.RecordKeys());

        // The next batch reuses the revisions and sees the state as it was.
        PutResponse put = store.Put("a", "4", prevKv: true);
        Assert.Equal(4, put.Header.Revision);
        Assert.Equal(("1", 1L, 1L), (put.PrevKv.Value.ToStringUtf8(), put.PrevKv.Version, put.PrevKv.Lease));
        Assert.Equal(["a=4", "b=1"], store.Values(All()));
    }

    [Fact]
    public void The_applied_index_is_committed_with_the_effects_and_survives_or_is_lost_with_them()
    {
        for (ulong index = 1; index <= 3; index++)
        {
            using ApplyBatch batch = store.Store.BeginApply();
            batch.Put(Put($"k{index}", "v"));
            batch.SetConsistentIndex(index, 7);
            batch.Commit();
            Assert.Equal(index, store.Store.ConsistentIndex);
            Assert.Equal(7ul, store.Store.ConsistentTerm);
        }

        // Crash losing the last commit: the index and the key it applied vanish together.
        store.Store.Dispose();
        store.Backend.Crash(keepPending: 2);
        store.Reopen();

        Assert.Equal(2ul, store.Store.ConsistentIndex);
        Assert.Equal(7ul, store.Store.ConsistentTerm);
        Assert.Equal(["k1=v", "k2=v"], store.Values(All()));
        Assert.Equal(3, store.Store.CurrentRevision);
    }

    [Fact]
    public void Entries_of_other_buckets_commit_with_the_batch_or_not_at_all()
    {
        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.PutLeaseRecord(0x0102, [9]);
            batch.PutBucketEntry(Bucket.Members, "m"u8, [1]);
            Assert.Throws<ArgumentException>(() => batch.PutBucketEntry(Bucket.Key, "k"u8, [1]));
            Assert.Throws<ArgumentException>(() => batch.DeleteBucketEntry(Bucket.Meta, "consistent_index"u8));
        }
        using (IBackendSnapshot snapshot = store.Backend.Snapshot())
        {
            Assert.Null(snapshot.Get(Bucket.Members, "m"u8));
        }

        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.PutLeaseRecord(0x0102, [9]);
            batch.PutBucketEntry(Bucket.Members, "m"u8, [1]);
            batch.Commit();
        }
        using (IBackendSnapshot snapshot = store.Backend.Snapshot())
        {
            Assert.Equal([9], snapshot.Get(Bucket.Lease, [0, 0, 0, 0, 0, 0, 1, 2]));
            Assert.Equal([1], snapshot.Get(Bucket.Members, "m"u8));
        }

        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.DeleteLeaseRecord(0x0102);
            batch.Commit();
        }
        using (IBackendSnapshot snapshot = store.Backend.Snapshot())
        {
            Assert.Null(snapshot.Get(Bucket.Lease, [0, 0, 0, 0, 0, 0, 1, 2]));
        }
    }

    [Fact]
    public void Only_one_batch_is_open_at_a_time()
    {
        ApplyBatch first = store.Store.BeginApply();
        Assert.Throws<InvalidOperationException>(() => store.Store.BeginApply());
        first.Commit();
        Assert.Throws<ObjectDisposedException>(() => first.Put(Put("a", "1")));
        first.Dispose();
        using ApplyBatch second = store.Store.BeginApply();
    }

    [Fact]
    public void A_batch_with_only_an_applied_index_writes_only_meta()
    {
        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.SetConsistentIndex(5, 1);
            batch.Commit();
        }

        Assert.Equal(1, store.Store.CurrentRevision);
        Assert.Equal(5ul, store.Store.ConsistentIndex);
        using IBackendSnapshot snapshot = store.Backend.Snapshot();
        Assert.Equal(5ul, MetaKeys.GetUInt64(snapshot, MetaKeys.ConsistentIndex));
        Assert.Empty(store.RecordKeys());
    }

    [Fact]
    public void Readers_on_other_threads_always_see_whole_transactions()
    {
        // Each transaction writes the same counter to x and y; a reader must never see them differ.
        const int Transactions = 2000;
        using var done = new CancellationTokenSource();
        var readers = new Task<int>[2];
        for (int r = 0; r < readers.Length; r++)
        {
            readers[r] = Task.Run(() =>
            {
                int reads = 0;
                while (!done.IsCancellationRequested)
                {
                    RangeResponse response = store.Store.Range(new RangeRequest { Key = TestStore.B("x"), RangeEnd = TestStore.B("z") });
                    if (response.Kvs.Count > 0)
                    {
                        Assert.Equal(2, response.Kvs.Count);
                        Assert.Equal(response.Kvs[0].Value, response.Kvs[1].Value);
                        Assert.Equal(response.Header.Revision, response.Kvs[0].ModRevision);
                    }
                    reads++;
                }
                return reads;
            });
        }

        for (int i = 0; i < Transactions; i++)
        {
            using ApplyBatch batch = store.Store.BeginApply();
            batch.Txn(Ops.Txn([], [Ops.Put("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ops.Put("y", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
            if (i % 100 == 99)
            {
                batch.Compact(new CompactionRequest { Revision = batch.Revision - 10 });
            }
            batch.Commit();
        }
        done.Cancel();

        Assert.All(readers, reader => Assert.True(reader.Result >= 0));
        Assert.Equal(Transactions + 1, store.Store.CurrentRevision);
    }

    private static PutRequest Put(string key, string value, long lease = 0) =>
        new() { Key = TestStore.B(key), Value = TestStore.B(value), Lease = lease };

    private static RangeRequest All() => new() { Key = TestStore.B("\0"), RangeEnd = TestStore.B("\0") };
}
