using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Mvcc;
using Etcd.Server.Logging;

namespace Etcd.Server.Watch;

/// <summary>
/// The history path: watchers that are behind read their missing events back from the backend,
/// a bounded round at a time, outside the lock; the lock is taken only to hand the results over
/// and, once a watcher has everything up to <see cref="Notified"/>, to make it synced.
/// </summary>
public sealed partial class WatchHub
{
    /// <summary>etcd's bound on watchers synced per round.</summary>
    private const int WatchersPerRound = 512;

    /// <summary>Events read per round; a round never splits a revision, so it may take a little more.</summary>
    public const int EventsPerRound = 10_000;

    /// <summary>While watchers are behind, rounds run at least this often (etcd's sync period).</summary>
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _catchUpSignal = new(0, 1);
    private Task _catchUpLoop = Task.CompletedTask;

    private void WakeCatchUp()
    {
        // At most one pending wake-up: one round serves every watcher that is behind.
        if (_catchUpSignal.CurrentCount == 0)
        {
            try
            {
                _catchUpSignal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <summary>A session drained half its backlog: its watchers may catch up again.</summary>
    internal void RoomFreed() => WakeCatchUp();

    private async Task CatchUpLoopAsync()
    {
        var token = _stop.Token;
        var picked = new List<(Watcher Watcher, long From)>();
        var events = new List<Event>();
        while (!token.IsCancellationRequested)
        {
            try
            {
                bool behind;
                lock (_lock) behind = _unsynced.Count > 0;
                await _catchUpSignal.WaitAsync(behind ? RetryPeriod : Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
                while (!token.IsCancellationRequested && RunRound(picked, events))
                {
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed read must not end catching up for good; the next round retries.
                _logger.Warn("failed to sync watchers from history", LogField.Of("error", e.Message));
            }
        }
    }

    /// <summary>
    /// Runs catch-up rounds until no watcher that can take events is behind, on the calling
    /// thread: for a caller that drives the hub itself instead of calling <see cref="Start"/>
    /// (the simulator, which must decide when everything happens).
    /// </summary>
    public void CatchUpNow()
    {
        var picked = new List<(Watcher Watcher, long From)>();
        var events = new List<Event>();
        while (RunRound(picked, events))
        {
        }
    }

    /// <summary>One round; false when there was nothing to do.</summary>
    private bool RunRound(List<(Watcher Watcher, long From)> picked, List<Event> events)
    {
        picked.Clear();
        long through;
        lock (_lock)
        {
            through = _notified;
            Pick(picked, through);
            PublishQueued();
        }
        if (picked.Count == 0) return false;

        var from = long.MaxValue;
        foreach (var (_, start) in picked) from = Math.Min(from, start);
        events.Clear();
        var read = EventHistory.Read(_kv, from, through, EventsPerRound, key => AnyWatches(picked, key), events);
        // Compacted meanwhile: the next pick tells the watchers concerned.
        if (read.Compacted) return true;

        var responses = new WatchResponse?[picked.Count];
        var header = _header(read.ReadThrough);
        var withPrevious = new Event?[events.Count];
        for (var i = 0; i < picked.Count; i++) responses[i] = Collect(picked[i].Watcher, picked[i].From, events, header, withPrevious);

        lock (_lock)
        {
            for (var i = 0; i < picked.Count; i++)
            {
                var (watcher, start) = picked[i];
                // Cancelled, or its session closed, while the round read.
                if (watcher.State != WatcherState.Unsynced || watcher.NextRevision != start) continue;
                // The read stopped at its event bound before this watcher's start: it got nothing
                // and stays where it is (moving it to the end of the read would replay events
                // from before the revision it asked for).
                if (start > read.ReadThrough) continue;
                if (responses[i] is { } response)
                {
                    if (!watcher.Session.HasRoom) continue;
                    Send(watcher, response);
                }
                watcher.NextRevision = read.ReadThrough + 1;
                if (read.ReadThrough >= _notified) CatchUp(watcher);
            }
            PublishQueued();
        }
        return true;
    }

    /// <summary>
    /// Chooses the watchers of this round: behind, with room in their session. Watchers whose
    /// start was compacted away get etcd's compacted response and are removed.
    /// </summary>
    private void Pick(List<(Watcher Watcher, long From)> picked, long through)
    {
        if (_unsynced.Count == 0) return;
        var compacted = _kv.CompactRevision;
        List<Watcher>? gone = null;
        List<Watcher>? current = null;
        foreach (var watcher in _unsynced)
        {
            if (watcher.NextRevision < compacted)
            {
                (gone ??= []).Add(watcher);
                continue;
            }
            if (watcher.NextRevision > through)
            {
                (current ??= []).Add(watcher);
                continue;
            }
            if (picked.Count < WatchersPerRound && watcher.Session.HasRoom) picked.Add((watcher, watcher.NextRevision));
        }
        foreach (var watcher in gone ?? [])
        {
            watcher.Session.Watchers.Remove(watcher.Id);
            // etcd's shape: no header revision, the compaction revision, and cancelled. Queued
            // before the detach, which may release a deferred progress notification.
            Queue(watcher.Session, new WatchResponse { Header = _header(0), WatchId = watcher.Id, CompactRevision = compacted, Canceled = true });
            Detach(watcher);
        }
        foreach (var watcher in current ?? []) CatchUp(watcher);
    }

    private static bool AnyWatches(List<(Watcher Watcher, long From)> picked, ReadOnlySpan<byte> key)
    {
        foreach (var (watcher, _) in picked)
        {
            if (watcher.Contains(key)) return true;
        }
        return false;
    }

    /// <summary>The response with a watcher's share of the events read, or null when it has none.</summary>
    private WatchResponse? Collect(Watcher watcher, long from, List<Event> events, ResponseHeader header, Event?[] withPrevious)
    {
        WatchResponse? response = null;
        for (var i = 0; i < events.Count; i++)
        {
            var change = events[i];
            if (change.Kv.ModRevision < from || !watcher.Contains(change.Kv.Key.Span) || !watcher.Wants(change)) continue;
            response ??= new WatchResponse { Header = header, WatchId = watcher.Id };
            response.Events.Add(watcher.PrevKv ? withPrevious[i] ??= WithPrevious(change) : change);
        }
        return response;
    }

    /// <summary>The event with the key's record before it, read at the previous revision as etcd does (none if compacted).</summary>
    private Event WithPrevious(Event change)
    {
        var revision = change.Kv.ModRevision;
        var created = change.Type == Event.Types.EventType.Put && change.Kv.CreateRevision == revision;
        if (created || revision <= 1) return change;
        try
        {
            var previous = _kv.Range(new RangeRequest { Key = change.Kv.Key, Revision = revision - 1 });
            if (previous.Kvs.Count == 0) return change;
            return new Event { Type = change.Type, Kv = change.Kv, PrevKv = previous.Kvs[0] };
        }
        catch (MvccException)
        {
            return change;
        }
    }
}
