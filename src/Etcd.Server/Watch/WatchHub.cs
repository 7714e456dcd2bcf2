using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Logging;

namespace Etcd.Server.Watch;

/// <summary>
/// Every watcher of this member (etcd's watchable store). Committed writes reach it on the apply
/// loop and go straight to the watchers that are up to date ("synced"); watchers that start in
/// the past or fall behind are brought up to date from history by a background loop, and then
/// join the synced ones. One lock orders the two paths, so each watcher gets every event exactly
/// once, in revision order.
/// </summary>
/// <remarks>
/// <see cref="Notified"/> is the revision everything synced has been queued through. The store
/// only builds events once an observer is set, so the hub subscribes when the first session opens.
/// </remarks>
public sealed partial class WatchHub : IKvObserver, IAsyncDisposable
{
    /// <summary>etcd's floor for --experimental-watch-progress-notify-interval.</summary>
    public static readonly TimeSpan MinProgressInterval = TimeSpan.FromMilliseconds(100);

    private const string EmptyRangeError = "mvcc: watcher range is empty";
    private const string DuplicateIdError = "mvcc: duplicate watch ID provided on the WatchStream";

    private readonly Lock _lock = new();
    private readonly KvStore _kv;
    private readonly Func<long, ResponseHeader> _header;
    private readonly ZapLogger _logger;
    private readonly TimeProvider _time;
    private readonly SyncedWatchers _synced = new();
    private readonly HashSet<Watcher> _unsynced = [];
    private readonly HashSet<Watcher> _progressWatchers = [];
    private readonly HashSet<WatchSession> _sessions = [];
    private readonly List<WatchSession> _unpublished = [];
    private readonly SharedEventsMerges _merges = new();
    private readonly int _fragmentBytes;
    private readonly CancellationTokenSource _stop = new();
    private long _notified;
    private bool _observing;

    /// <param name="kv">The store whose commits are watched.</param>
    /// <param name="header">Makes the response header for a revision (member, cluster, term).</param>
    /// <param name="fragmentBytes">Responses of watchers that allow fragments are split above this size.</param>
    /// <param name="progressInterval">How often watchers that asked for progress notifications get one.</param>
    public WatchHub(KvStore kv, Func<long, ResponseHeader> header, int fragmentBytes, TimeSpan progressInterval, ZapLogger logger, TimeProvider time)
    {
        _kv = kv;
        _header = header;
        _fragmentBytes = fragmentBytes;
        _logger = logger;
        _time = time;
        if (progressInterval < MinProgressInterval)
        {
            logger.Warn("adjusting watch progress notify interval to minimum period", LogField.Duration("min-watch-progress-notify-interval", MinProgressInterval));
            progressInterval = MinProgressInterval;
        }
        ProgressInterval = progressInterval;
    }

    public TimeSpan ProgressInterval { get; }

    /// <summary>Revision through which every synced watcher has been queued its events.</summary>
    public long Notified
    {
        get
        {
            lock (_lock) return _notified;
        }
    }

    /// <summary>Number of watchers, synced or not.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock) return _synced.Count + _unsynced.Count;
        }
    }

    public void Start()
    {
        _catchUpLoop = Task.Run(CatchUpLoopAsync);
        _progressLoop = Task.Run(ProgressLoopAsync);
    }

    /// <summary>Opens a session: one client stream, or an in-process waiter.</summary>
    public WatchSession OpenSession()
    {
        var session = new WatchSession(this);
        lock (_lock)
        {
            StartObserving();
            _sessions.Add(session);
        }
        return session;
    }

    internal void Create(WatchSession session, WatchCreateRequest request)
    {
        // etcd's conventions: no key means "\0", the smallest; range_end "\0" means "every key from key on".
        var key = request.Key.IsEmpty ? [0] : request.Key.ToByteArray();
        byte[]? end = request.RangeEnd.IsEmpty ? null : request.RangeEnd is { Length: 1 } one && one[0] == 0 ? [] : request.RangeEnd.ToByteArray();
        lock (_lock)
        {
            if (session.Closed) return;
            var header = _header(_notified);
            var error = end is { Length: > 0 } && key.AsSpan().SequenceCompareTo(end) >= 0 ? EmptyRangeError : null;
            var id = request.WatchId;
            if (error is null && id == 0)
            {
                while (session.Watchers.ContainsKey(session.NextAutoId)) session.NextAutoId++;
                id = session.NextAutoId++;
            }
            else if (error is null && session.Watchers.ContainsKey(id))
            {
                error = DuplicateIdError;
            }
            if (error is not null)
            {
                Queue(session, new WatchResponse { Header = header, WatchId = -1, Created = true, Canceled = true, CancelReason = error });
                PublishQueued();
                return;
            }

            var watcher = new Watcher(session, id, key, end, request);
            session.Watchers.Add(id, watcher);
            Queue(session, new WatchResponse { Header = header, WatchId = id, Created = true });
            watcher.NextRevision = request.StartRevision == 0 ? _notified + 1 : request.StartRevision;
            if (watcher.NextRevision > _notified)
            {
                watcher.State = WatcherState.Synced;
                _synced.Add(watcher);
            }
            else
            {
                FallBehind(watcher);
            }
            if (watcher.ProgressNotify) _progressWatchers.Add(watcher);
            PublishQueued();
        }
    }

    /// <summary>Answers a create request that may not be served (etcd: created and cancelled at once, with the reason).</summary>
    internal void Refuse(WatchSession session, string reason)
    {
        lock (_lock)
        {
            if (session.Closed) return;
            Queue(session, new WatchResponse { Header = _header(_notified), WatchId = -1, Created = true, Canceled = true, CancelReason = reason });
            PublishQueued();
        }
    }

    internal void Cancel(WatchSession session, long watchId)
    {
        lock (_lock)
        {
            if (!session.Watchers.Remove(watchId, out var watcher)) return;
            // The cancellation goes out before a deferred progress notification it may release,
            // so the client never reads progress as covering a watcher that was still behind.
            Queue(session, new WatchResponse { Header = _header(_notified), WatchId = watchId, Canceled = true });
            Detach(watcher);
            PublishQueued();
        }
    }

    internal void RequestProgress(WatchSession session)
    {
        lock (_lock)
        {
            if (session.Closed) return;
            // Honest progress: the revision promises every event up to it was sent, which holds
            // only once no watcher of the session is behind.
            if (session.UnsyncedCount == 0) Queue(session, ProgressResponse(-1));
            else session.ProgressDeferred = true;
            PublishQueued();
        }
    }

    internal void Close(WatchSession session)
    {
        lock (_lock)
        {
            if (session.Closed) return;
            foreach (var watcher in session.Watchers.Values) Detach(watcher);
            session.Watchers.Clear();
            session.MarkClosed();
            _sessions.Remove(session);
            PublishQueued();
        }
    }

    /// <summary>Subscribes to the store's commits; from here on every commit above <see cref="_notified"/> is seen.</summary>
    private void StartObserving()
    {
        if (_observing) return;
        _kv.Observer = this;
        // A commit that published its revision before the read below may or may not have seen
        // the observer (Committed skips it if it did); the fence makes every later one see it.
        Interlocked.MemoryBarrier();
        _notified = _kv.CurrentRevision;
        _observing = true;
    }

    /// <summary>Moves a watcher to the ones that catch up from history, from its <see cref="Watcher.NextRevision"/>.</summary>
    private void FallBehind(Watcher watcher)
    {
        if (watcher.State == WatcherState.Synced) _synced.Remove(watcher);
        watcher.State = WatcherState.Unsynced;
        _unsynced.Add(watcher);
        watcher.Session.UnsyncedCount++;
        WakeCatchUp();
    }

    private void CatchUp(Watcher watcher)
    {
        _unsynced.Remove(watcher);
        watcher.State = WatcherState.Synced;
        _synced.Add(watcher);
        LeaveUnsynced(watcher.Session);
    }

    private void Detach(Watcher watcher)
    {
        switch (watcher.State)
        {
            case WatcherState.Synced:
                _synced.Remove(watcher);
                break;
            case WatcherState.Unsynced:
                _unsynced.Remove(watcher);
                LeaveUnsynced(watcher.Session);
                break;
        }
        watcher.State = WatcherState.Removed;
        if (watcher.ProgressNotify) _progressWatchers.Remove(watcher);
    }

    private void LeaveUnsynced(WatchSession session)
    {
        session.UnsyncedCount--;
        if (session.UnsyncedCount == 0 && session.ProgressDeferred)
        {
            session.ProgressDeferred = false;
            Queue(session, ProgressResponse(-1));
        }
    }

    /// <summary>Queues a response that is not a watcher's events; its session's reader is woken by <see cref="PublishQueued"/>.</summary>
    private void Queue(WatchSession session, WatchResponse response) => Queue(session, new QueuedResponse(response, null, response.WatchId), barrier: true);

    private long Queue(WatchSession session, in QueuedResponse response, bool barrier)
    {
        var sequence = session.Enqueue(response, barrier);
        MarkUnpublished(session);
        return sequence;
    }

    /// <summary>The session's queue grew (a response or merged events): <see cref="PublishQueued"/> will tell its reader.</summary>
    private void MarkUnpublished(WatchSession session)
    {
        if (session.Unpublished) return;
        session.Unpublished = true;
        _unpublished.Add(session);
    }

    /// <summary>Ends an operation under the lock: wakes the readers of the sessions it queued to, once each.</summary>
    private void PublishQueued()
    {
        foreach (var session in _unpublished)
        {
            session.Unpublished = false;
            session.Publish();
        }
        _unpublished.Clear();
    }

    private WatchResponse ProgressResponse(long watchId) => new() { Header = _header(_notified), WatchId = watchId };

    /// <summary>
    /// Queues a watcher's events: into its response still waiting in the queue when possible,
    /// else as a new response, split into fragments if it asked for them and it is large.
    /// </summary>
    private void Send(Watcher watcher, WatchResponse response)
    {
        watcher.SentSinceProgressTick = true;
        if (watcher.Fragment)
        {
            var parts = response.Events.Count > 1 && response.CalculateSize() >= _fragmentBytes ? WatchFragments.Split(response, _fragmentBytes) : [response];
            foreach (var part in parts) Queue(watcher.Session, part);
            return;
        }
        if (watcher.Session.TryMerge(watcher.QueuedSequence, response.Header, response.Events))
        {
            // A paced reader waiting for its backlog to grow counts merged events too.
            MarkUnpublished(watcher.Session);
            return;
        }
        watcher.QueuedSequence = Queue(watcher.Session, new QueuedResponse(response, null, watcher.Id), barrier: false);
    }

    /// <summary>Queues a watcher's share of events that other watchers got too (see <see cref="Send(Watcher, WatchResponse)"/>).</summary>
    private void Send(Watcher watcher, SharedEvents shared)
    {
        if (watcher.Fragment)
        {
            Send(watcher, shared.Fill(new WatchResponse(), watcher.Id));
            return;
        }
        watcher.SentSinceProgressTick = true;
        if (watcher.Session.TryMerge(watcher.QueuedSequence, shared, _merges))
        {
            MarkUnpublished(watcher.Session);
            return;
        }
        watcher.QueuedSequence = Queue(watcher.Session, new QueuedResponse(null, shared, watcher.Id), barrier: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        WakeCatchUp();
        await Task.WhenAll(_catchUpLoop, _progressLoop).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var session in _sessions)
            {
                foreach (var watcher in session.Watchers.Values) Detach(watcher);
                session.Watchers.Clear();
                session.MarkClosed();
            }
            _sessions.Clear();
        }
        _stop.Dispose();
    }
}
