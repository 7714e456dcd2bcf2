using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Server.Watch;

/// <summary>
/// The live path: each commit's events go to the synced watchers, one response per watcher and
/// revision; watchers that get the same events share them (<see cref="SharedEvents"/>).
/// </summary>
public sealed partial class WatchHub
{
    // Watchers that gathered events for the revision being dispatched (apply loop only, under the lock).
    private readonly List<Watcher> _gathered = [];

    /// <summary>
    /// Called by the store on the apply loop for each commit. A commit may hold several write
    /// transactions; as in etcd, each watcher gets one response per revision, headed with it.
    /// </summary>
    public void Committed(long afterRevision, long throughRevision, IReadOnlyList<Event> events)
    {
        lock (_lock)
        {
            // Seen already: it was published before the hub subscribed and counted then.
            if (throughRevision <= _notified) return;
            if (_synced.Count > 0) Dispatch(events);
            _notified = throughRevision;
            PublishQueued();
        }
    }

    /// <summary>
    /// The store was rebuilt from a leader's snapshot: the revisions up to <paramref name="revision"/>
    /// reached it with no events, so every synced watcher falls behind and reads them from the
    /// new history (etcd's watchableStore.Restore). Those whose start was compacted away in the
    /// snapshot are told so by the catch-up loop, as anywhere else.
    /// </summary>
    public void Restored(long revision)
    {
#if PLANTED_BUGS
        if (Testing.PlantedBug.WatchersKeptSyncedOnRestore) return;
#endif
        lock (_lock)
        {
            var synced = new List<Watcher>(_synced.Count);
            _synced.CopyTo(synced);
            foreach (var watcher in synced) FallBehind(watcher);
            _notified = revision;
            PublishQueued();
        }
    }

    private void Dispatch(IReadOnlyList<Event> events)
    {
        // Events carry prev_kv; watchers that did not ask for it share one copy without it.
        Event?[]? bare = null;
        var start = 0;
        while (start < events.Count)
        {
            var revision = events[start].Kv.ModRevision;
            var end = start + 1;
            while (end < events.Count && events[end].Kv.ModRevision == revision) end++;
            for (var i = start; i < end; i++)
            {
                var change = events[i];
                var key = change.Kv.Key.Span;
                if (_synced.OfKey(key) is { } keyWatchers)
                {
                    foreach (var watcher in keyWatchers) Gather(watcher, events, i, revision, ref bare);
                }
                foreach (var watcher in _synced.Ranges)
                {
                    if (watcher.Contains(key)) Gather(watcher, events, i, revision, ref bare);
                }
            }
            if (_gathered.Count > 0) Deliver(revision);
            start = end;
        }
    }

    private void Gather(Watcher watcher, IReadOnlyList<Event> events, int index, long revision, ref Event?[]? bare)
    {
        var change = events[index];
        // A watcher created with a future start revision waits for it.
        if (revision < watcher.NextRevision || !watcher.Wants(change)) return;
        var gathered = watcher.Gathered;
        if (gathered.Count == 0) _gathered.Add(watcher);
        if (watcher.PrevKv || change.PrevKv is null)
        {
            gathered.Add(change);
            return;
        }
        bare ??= new Event?[events.Count];
        gathered.Add(bare[index] ??= new Event { Type = change.Type, Kv = change.Kv });
    }

    private void Deliver(long revision)
    {
        var header = _header(revision);
        // Watchers of one key come one after another here, so comparing with the previous
        // watcher's events finds the ones they share.
        SharedEvents? shared = null;
        foreach (var watcher in _gathered)
        {
            var gathered = watcher.Gathered;
            if (!watcher.Session.HasRoom)
            {
                // The client is not keeping up: this revision and later ones come from history.
                gathered.Clear();
                watcher.NextRevision = revision;
                FallBehind(watcher);
                continue;
            }
            if (shared is null || !shared.Holds(gathered)) shared = new SharedEvents(header, [.. gathered]);
            gathered.Clear();
            Send(watcher, shared);
            watcher.NextRevision = revision + 1;
        }
        _gathered.Clear();
    }
}
