using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Server.Tests.Watch;

/// <summary>
/// Checks what one session received against the model: per watcher, events in revision order
/// with no gap and no duplicate, each exactly the change that happened; and every progress
/// notification honest (every event up to its revision already received).
/// </summary>
internal sealed class WatchChecker(KeyspaceModel model, string seed)
{
    private readonly Dictionary<long, WatcherRecord> _live = [];
    private readonly List<WatcherRecord> _finished = [];

    /// <summary>The watchers the test created, in order; matched to created responses in order.</summary>
    public Queue<WatcherSpec> Requested { get; } = new();

    public void Observe(WatchResponse response)
    {
        if (response.Created)
        {
            var spec = Requested.Dequeue();
            Assert.False(response.Canceled, Context($"create of {spec} refused: {response.CancelReason}"));
            // Start 0 means "after the revision the created response names".
            if (spec.Start == 0) spec = spec with { Start = response.Header.Revision + 1 };
            _live.Add(response.WatchId, new WatcherRecord(spec, response.WatchId));
            return;
        }
        if (response.WatchId == -1)
        {
            Assert.Empty(response.Events);
            foreach (var watcher in _live.Values) CheckComplete(watcher, response.Header.Revision, "progress notification");
            return;
        }
        var record = _live[response.WatchId];
        if (response.Canceled)
        {
            _live.Remove(response.WatchId);
            record.CompactedAt = response.CompactRevision;
            _finished.Add(record);
            return;
        }
        if (response.Events.Count == 0)
        {
            CheckComplete(record, response.Header.Revision, "watcher progress notification");
            return;
        }
        foreach (var change in response.Events)
        {
            Assert.True(change.Kv.ModRevision <= response.Header.Revision, Context("event above its response's revision"));
            record.Received.Add(change);
        }
        CheckPrefix(record);
    }

    /// <summary>At the end: every watcher still watching has everything through the model's revision.</summary>
    public void CheckEnd()
    {
        foreach (var watcher in _live.Values) CheckComplete(watcher, model.Revision, "end");
        foreach (var watcher in _finished)
        {
            CheckPrefix(watcher);
            if (watcher.CompactedAt != 0)
            {
                var next = watcher.Received.Count == 0 ? watcher.Spec.Start : watcher.Received[^1].Kv.ModRevision + 1;
                Assert.True(next < watcher.CompactedAt, Context($"watcher {watcher.Id} cancelled as compacted at {watcher.CompactedAt} but was at {next}"));
            }
        }
    }

    public int WatchersSeen => _live.Count + _finished.Count;

    /// <summary>The store's compaction revision; replayed events below it may lack prev_kv.</summary>
    public long CompactRevision { get; set; }

    /// <summary>Ids of the watchers that are still watching.</summary>
    public IReadOnlyCollection<long> LiveIds => _live.Keys;

    private List<ModelEvent> Expected(WatcherSpec spec) => model.EventsWhere(spec.Matches);

    private void CheckPrefix(WatcherRecord record)
    {
        var expected = Expected(record.Spec);
        Assert.True(record.Received.Count <= expected.Count, Context($"watcher {record.Id} {record.Spec}: {record.Received.Count} events, only {expected.Count} happened"));
        for (var i = record.Checked; i < record.Received.Count; i++)
        {
            var got = record.Received[i];
            var want = expected[i];
            var what = Context($"watcher {record.Id} {record.Spec} event {i}: got {Describe(got)}, want {want}");
            Assert.True(got.Kv.ModRevision == want.Revision && got.Kv.Key.ToStringUtf8() == want.Key, what);
            Assert.True(got.Type == (want.Put ? Event.Types.EventType.Put : Event.Types.EventType.Delete), what);
            if (want.Put)
            {
                Assert.True(got.Kv.Value.ToStringUtf8() == want.Value && got.Kv.CreateRevision == want.Created, what);
            }
            if (!record.Spec.PrevKv)
            {
                Assert.True(got.PrevKv is null, what);
            }
            else if (got.PrevKv is { } previous)
            {
                Assert.True(previous.Value.ToStringUtf8() == want.Previous, what);
            }
            else
            {
                // Missing only where there was none, or where the revision before the event was compacted.
                Assert.True(want.Previous is null || want.Revision - 1 < CompactRevision, what);
            }
        }
        record.Checked = record.Received.Count;
    }

    private void CheckComplete(WatcherRecord record, long revision, string why)
    {
        var owed = Expected(record.Spec).Count(e => e.Revision <= revision);
        Assert.True(record.Received.Count >= owed,
            Context($"{why} at {revision}: watcher {record.Id} {record.Spec} had {record.Received.Count} events of the {owed} up to it"));
    }

    private static string Describe(Event e) => $"{e.Type} {e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision}={e.Kv.Value.ToStringUtf8()}";

    private string Context(string message) => $"seed {seed}: {message}";

    private sealed class WatcherRecord(WatcherSpec spec, long id)
    {
        public WatcherSpec Spec { get; } = spec;
        public long Id { get; } = id;
        public List<Event> Received { get; } = [];
        public int Checked { get; set; }
        public long CompactedAt { get; set; }
    }
}

/// <summary>A watcher as the test asked for it.</summary>
internal sealed record WatcherSpec(string Key, string? End, long Start, bool PrevKv, bool NoPut, bool NoDelete)
{
    public bool Matches(ModelEvent e) =>
        e.Revision >= Start
        && (End is null ? e.Key == Key : string.CompareOrdinal(e.Key, Key) >= 0 && (End == "\0" || string.CompareOrdinal(e.Key, End) < 0))
        && (e.Put ? !NoPut : !NoDelete);

    public WatchCreateRequest ToRequest()
    {
        var request = WatchFixture.Create(Key, End, Start);
        request.PrevKv = PrevKv;
        if (NoPut) request.Filters.Add(WatchCreateRequest.Types.FilterType.Noput);
        if (NoDelete) request.Filters.Add(WatchCreateRequest.Types.FilterType.Nodelete);
        return request;
    }
}
