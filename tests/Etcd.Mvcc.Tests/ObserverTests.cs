using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc.Tests;

public sealed class ObserverTests
{
    [Theory]
    [MemberData(nameof(TestStore.ValueCaching), MemberType = typeof(TestStore))]
    public void Each_commit_reports_its_revisions_and_events_with_previous_records(int maxCachedValueBytes)
    {
        using var store = new TestStore(maxCachedValueBytes: maxCachedValueBytes);
        var observer = new RecordingObserver();
        store.Put("a", "1");
        store.Store.Observer = observer;

        using (ApplyBatch batch = store.Store.BeginApply())
        {
            batch.Put(new PutRequest { Key = TestStore.B("a"), Value = TestStore.B("2") });
            batch.Txn(Ops.Txn([], [Ops.Put("b", "1"), Ops.Delete("a")]));
            batch.DeleteRange(new DeleteRangeRequest { Key = TestStore.B("nothing") });
            batch.Commit();
        }

        (long after, long through, IReadOnlyList<Event> events) = Assert.Single(observer.Commits);
        Assert.Equal((2L, 4L), (after, through));
        Assert.Equal(3, events.Count);

        Assert.Equal(Event.Types.EventType.Put, events[0].Type);
        Assert.Equal(("a", "2", 3L, 2L), (events[0].Kv.Key.ToStringUtf8(), events[0].Kv.Value.ToStringUtf8(), events[0].Kv.ModRevision, events[0].Kv.Version));
        Assert.Equal("1", events[0].PrevKv.Value.ToStringUtf8());

        Assert.Equal(Event.Types.EventType.Put, events[1].Type);
        Assert.Equal(("b", 4L), (events[1].Kv.Key.ToStringUtf8(), events[1].Kv.ModRevision));
        Assert.Null(events[1].PrevKv);

        Assert.Equal(Event.Types.EventType.Delete, events[2].Type);
        Assert.Equal(new KeyValue { Key = TestStore.B("a"), ModRevision = 4 }, events[2].Kv);
        Assert.Equal("2", events[2].PrevKv.Value.ToStringUtf8());
    }

    [Fact]
    public void A_commit_without_new_revisions_is_not_reported()
    {
        using var store = new TestStore();
        var observer = new RecordingObserver();
        store.Store.Observer = observer;

        store.Delete("nothing");
        store.Txn(Ops.Txn([], [Ops.Get("a")]));

        Assert.Empty(observer.Commits);
    }

    internal sealed class RecordingObserver : IKvObserver
    {
        public List<(long After, long Through, IReadOnlyList<Event> Events)> Commits { get; } = [];

        public List<long> Restores { get; } = [];

        public void Committed(long afterRevision, long throughRevision, IReadOnlyList<Event> events) =>
            Commits.Add((afterRevision, throughRevision, events));

        public void Restored(long revision) => Restores.Add(revision);
    }
}
