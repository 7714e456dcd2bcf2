using Etcd.Api.Etcdserverpb;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc.Tests;

public sealed class CompactionTests : IDisposable
{
    // Revisions: 2 a=1, 3 a=2, 4 b=1, 5 delete b, 6 c=1, 7 a=3.
    private readonly TestStore store = new();

    public CompactionTests()
    {
        store.Put("a", "1");
        store.Put("a", "2");
        store.Put("b", "1");
        store.Delete("b");
        store.Put("c", "1");
        store.Put("a", "3");
    }

    public void Dispose() => store.Dispose();

    [Fact]
    public void Reads_below_the_compaction_fail_at_once_and_the_rest_is_intact()
    {
        CompactionResponse response = store.Compact(5);

        Assert.Equal(7, response.Header.Revision);
        Assert.Equal(5, store.Store.CompactRevision);
        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Get("a", revision: 4)).Kind);
        Assert.Equal(["a=2"], store.Values(All(5)));
        Assert.Equal(["a=2", "c=1"], store.Values(All(6)));
        Assert.Equal(["a=3", "c=1"], store.Values(All(0)));
    }

    [Fact]
    public async Task Physical_compaction_keeps_the_newest_record_at_or_below_unless_it_is_a_deletion()
    {
        store.Compact(5);
        await store.Store.WhenCompacted(5);

        // a keeps 3 (its newest at or below 5); b's life ended at 5 and vanishes whole; above 5 nothing changes.
        Assert.Equal(["3_0", "6_0", "7_0"], store.RecordKeys());
        Assert.Equal(2, store.Store.IndexedKeyCount);
        using IBackendSnapshot snapshot = store.Backend.Snapshot();
        Assert.Equal(5, MetaKeys.GetRevision(snapshot, MetaKeys.FinishedCompact));
        Assert.Equal(5, MetaKeys.GetRevision(snapshot, MetaKeys.ScheduledCompact));
        Assert.Equal(["a=2"], store.Values(All(5)));
    }

    [Fact]
    public async Task Compacting_at_the_current_revision_leaves_only_live_records()
    {
        store.Compact(7);
        await store.Store.WhenCompacted(7);

        Assert.Equal(["6_0", "7_0"], store.RecordKeys());
        Assert.Equal(["a=3", "c=1"], store.Values(All(7)));
    }

    [Fact]
    public void Compacting_again_at_or_below_fails_and_beyond_the_current_revision_fails()
    {
        store.Compact(4);

        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Compact(4)).Kind);
        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Compact(3)).Kind);
        var future = Assert.Throws<MvccException>(() => store.Compact(8));
        Assert.Equal(MvccErrorKind.FutureRevision, future.Kind);
        Assert.Equal(4, store.Store.CompactRevision);
    }

    [Fact]
    public async Task Successive_compactions_each_finish()
    {
        store.Compact(3);
        store.Compact(6);
        await store.Store.WhenCompacted(3);
        await store.Store.WhenCompacted(6);

        Assert.Equal(["3_0", "6_0", "7_0"], store.RecordKeys());
        Assert.Equal(["a=2", "c=1"], store.Values(All(6)));
    }

    [Fact]
    public async Task Reopening_keeps_the_compaction_and_the_revision_even_when_no_record_is_left()
    {
        store.Delete("\0", "\0");
        store.Compact(8);
        await store.Store.WhenCompacted(8);
        Assert.Empty(store.RecordKeys());

        store.Reopen();

        Assert.Equal(8, store.Store.CurrentRevision);
        Assert.Equal(8, store.Store.CompactRevision);
        Assert.Equal(0, store.Store.IndexedKeyCount);
        Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Get("a", revision: 7)).Kind);
        Assert.Equal(9, store.Put("a", "again").Header.Revision);
    }

    [Fact]
    public void An_inline_compaction_is_carried_out_when_its_commit_returns_and_resumes_on_open()
    {
        using var inline = new TestStore(compactInline: true);
        inline.Put("a", "1");
        inline.Put("a", "2");
        inline.Put("b", "1");
        inline.Compact(3);
        Assert.Equal(["3_0", "4_0"], inline.RecordKeys());
        using (IBackendSnapshot snapshot = inline.Backend.Snapshot()) Assert.Equal(3, MetaKeys.GetRevision(snapshot, MetaKeys.FinishedCompact));

        inline.Put("a", "3");
        inline.Store.Dispose();
        using (IBackendBatch batch = inline.Backend.CreateBatch())
        {
            MetaKeys.PutRevision(batch, MetaKeys.ScheduledCompact, 5);
            inline.Backend.Commit(batch);
        }
        inline.Reopen();
        Assert.Equal(["4_0", "5_0"], inline.RecordKeys());
    }

    [Fact]
    public async Task A_compaction_committed_but_not_carried_out_resumes_on_open()
    {
        // As if the process stopped right after the batch holding the compaction committed.
        store.Store.Dispose();
        using (IBackendBatch batch = store.Backend.CreateBatch())
        {
            MetaKeys.PutRevision(batch, MetaKeys.ScheduledCompact, 5);
            store.Backend.Commit(batch);
        }

        store.Reopen();
        Assert.Equal(5, store.Store.CompactRevision);
        await store.Store.WhenCompacted(5);

        Assert.Equal(["3_0", "6_0", "7_0"], store.RecordKeys());
        Assert.Equal(["a=3", "c=1"], store.Values(All(0)));
    }

    [Fact]
    public async Task The_hash_does_not_depend_on_whether_records_are_physically_gone()
    {
        using var other = new TestStore();
        other.Put("a", "1");
        other.Put("a", "2");
        other.Put("b", "1");
        other.Delete("b");
        other.Put("c", "1");
        other.Put("a", "3");

        // Whether or not the compactor has run yet, the hash is the same.
        store.Compact(5);
        other.Compact(5);
        await other.Store.WhenCompacted(5);
        KvHash compacted = other.Store.HashKV(0);

        Assert.Equal(compacted, store.Store.HashKV(0));
        await store.Store.WhenCompacted(5);
        Assert.Equal(compacted, store.Store.HashKV(0));
        Assert.Equal(5, compacted.CompactRevision);
        Assert.Equal(7, compacted.CurrentRevision);
    }

    private static RangeRequest All(long revision) =>
        new() { Key = TestStore.B("\0"), RangeEnd = TestStore.B("\0"), Revision = revision };
}
