using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Server.Watch;

/// <summary>
/// The watchers of one client stream and the ordered queue of responses going out to it. The
/// queue's order is the stream's guarantee: a watcher's created response comes before its
/// events, its events in revision order, and a progress notification after every event it
/// vouches for. A session whose client reads slowly fills up; its watchers then fall behind
/// and catch up from history later, so the writers and other sessions never wait for it.
/// </summary>
/// <remarks>
/// The hub queues responses and wakes the reader once per operation (a commit fans out to many
/// watchers at once), so the reader finds them together and sends them with one flush.
/// </remarks>
public sealed class WatchSession
{
    /// <summary>
    /// Events queued (a response without events counts as one) before the session's watchers
    /// stop taking new events live. A hot stream paced by <see cref="WatchStreamPacing"/> queues a
    /// period's events before it drains: about 4,000 for 100 watchers of a key at 1,000 puts/s.
    /// </summary>
    public const int BacklogLimit = 16384;

    /// <summary>Responses merged for a client that is behind stop growing at this many events (etcd batches up to 1000 revisions).</summary>
    public const int MaxMergedEvents = 1000;

    private readonly WatchHub _hub;
    private readonly Lock _queueLock = new();
    private readonly RingQueue<QueuedResponse> _queue = new();
    private TaskCompletionSource<bool>? _reader;
    private TaskCompletionSource? _backlogWaiter;
    private int _backlogWanted;
    private bool _ended;

    // Sequence numbers of responses: how many were queued, taken, and the last one that others
    // must not be merged across (anything but events: created, cancelled, progress).
    private long _queued;
    private long _taken;
    private long _barrier;
    private int _backlog;

    internal WatchSession(WatchHub hub) => _hub = hub;

    // The rest is guarded by the hub's lock.

    internal Dictionary<long, Watcher> Watchers { get; } = [];

    /// <summary>Next id to try for a watcher that lets the server choose (etcd starts at 0).</summary>
    internal long NextAutoId { get; set; }

    internal int UnsyncedCount { get; set; }

    /// <summary>The client asked for progress while some watcher was behind: answer when none is.</summary>
    internal bool ProgressDeferred { get; set; }

    internal bool Closed { get; private set; }

    /// <summary>Queued since the hub last woke the reader.</summary>
    internal bool Unpublished { get; set; }

    /// <summary>Whether live events may still be queued (the client is keeping up).</summary>
    internal bool HasRoom => Backlog < BacklogLimit;

    /// <summary>Events waiting to be taken (a response without events counts as one).</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>Creates a watcher; its created (or refused) response is queued.</summary>
    public void Create(WatchCreateRequest request) => _hub.Create(this, request);

    /// <summary>Refuses a create request with <paramref name="reason"/> (the caller may not watch the range).</summary>
    public void Refuse(string reason) => _hub.Refuse(this, reason);

    /// <summary>Cancels a watcher; nothing is answered for an id that is not watching.</summary>
    public void Cancel(long watchId) => _hub.Cancel(this, watchId);

    /// <summary>Queues a progress notification once every watcher of the session is up to date.</summary>
    public void RequestProgress() => _hub.RequestProgress(this);

    /// <summary>Removes every watcher and ends the response queue.</summary>
    public void Close() => _hub.Close(this);

    /// <summary>Waits until a response can be taken; false once the session is closed and drained.</summary>
    public async ValueTask<bool> WaitToTakeAsync(CancellationToken cancellationToken)
    {
        Task<bool> wait;
        lock (_queueLock)
        {
            if (_queue.Count > 0) return true;
            if (_ended) return false;
            _reader ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _reader.Task;
        }
        return await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until <paramref name="backlog"/> events are queued, or <paramref name="most"/> has
    /// passed, or the session ends: a paced writer stops waiting for its period once the queue
    /// is filling up, before its watchers would have to fall behind. Nor does it hold back
    /// anything but events: a created, cancelled or progress response ends the wait (etcd's
    /// client creates a stream's watchers one at a time, each waiting for its created response).
    /// </summary>
    public async ValueTask WaitForBacklogAsync(int backlog, TimeSpan most, CancellationToken cancellationToken)
    {
        Task wait;
        lock (_queueLock)
        {
            if (_backlog >= backlog || _barrier > _taken || _ended) return;
            _backlogWaiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _backlogWanted = backlog;
            wait = _backlogWaiter.Task;
        }
        try
        {
            await wait.WaitAsync(most, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            lock (_queueLock) _backlogWaiter = null;
        }
    }

    /// <summary>Takes the next response as a message of its own; <paramref name="more"/> tells whether another one is already queued.</summary>
    public bool TryTake(out WatchResponse response, out bool more)
    {
        if (!TryTake(out QueuedResponse item, out more))
        {
            response = null!;
            return false;
        }
        response = item.Message ?? item.Shared!.Fill(new WatchResponse(), item.WatchId);
        return true;
    }

    /// <summary>
    /// Takes the next response for a writer that is done with it before taking another: a
    /// watcher's share of common events is filled into <paramref name="carrier"/> rather than
    /// into a new message.
    /// </summary>
    public bool TryTake(WatchResponse carrier, out WatchResponse response, out bool more)
    {
        if (!TryTake(out QueuedResponse item, out more))
        {
            response = null!;
            return false;
        }
        response = item.Message ?? item.Shared!.Fill(carrier, item.WatchId);
        return true;
    }

    private bool TryTake(out QueuedResponse item, out bool more)
    {
        int before, left;
        lock (_queueLock)
        {
            if (!_queue.TryDequeue(out item))
            {
                more = false;
                return false;
            }
            _taken++;
            before = _backlog;
            _backlog -= Weight(item.EventCount);
            left = _backlog;
            more = _queue.Count > 0;
        }
        // Halfway drained: watchers that fell behind for lack of room can catch up now.
        if (before >= BacklogLimit / 2 && left < BacklogLimit / 2) _hub.RoomFreed();
        return true;
    }

    /// <summary>Queues a response; the reader learns of it at <see cref="Publish"/>. Returns its sequence number.</summary>
    /// <param name="barrier">Not an event response: later events must not be merged into responses before it.</param>
    internal long Enqueue(in QueuedResponse response, bool barrier)
    {
        lock (_queueLock)
        {
            _queue.Enqueue(response);
            _queued++;
            _backlog += Weight(response.EventCount);
            if (barrier) _barrier = _queued;
            return _queued;
        }
    }

    /// <summary>
    /// Adds <paramref name="later"/> to the events response queued as <paramref name="sequence"/>
    /// if the reader has not taken it yet and nothing but events was queued after it; its header
    /// moves to the later revision. This is how a client that falls a little behind gets fewer,
    /// larger responses, as etcd gives them from its backlog. A response of shared events
    /// becomes a message of its own first.
    /// </summary>
    internal bool TryMerge(long sequence, ResponseHeader header, IReadOnlyList<Event> later)
    {
        lock (_queueLock) return TryMergeLocked(sequence, header, later, null, null);
    }

    /// <summary>As <see cref="TryMerge(long, ResponseHeader, IReadOnlyList{Event})"/>, keeping shared events shared where the queued response is.</summary>
    internal bool TryMerge(long sequence, SharedEvents later, SharedEventsMerges merges)
    {
        lock (_queueLock) return TryMergeLocked(sequence, later.Header, later.Events, later, merges);
    }

    private bool TryMergeLocked(long sequence, ResponseHeader header, IReadOnlyList<Event> later, SharedEvents? laterShared, SharedEventsMerges? merges)
    {
        if (sequence <= _taken || sequence <= _barrier) return false;
        ref var queued = ref _queue.At((int)(sequence - _taken - 1));
        if (queued.EventCount >= MaxMergedEvents) return false;
        _backlog += later.Count;
        if (laterShared is not null && queued.Shared is { } earlier)
        {
            queued = queued with { Shared = merges!.Merge(earlier, laterShared) };
            return true;
        }
        var message = queued.Message ?? queued.Shared!.Fill(new WatchResponse(), queued.WatchId);
        queued = new QueuedResponse(message, null, queued.WatchId);
        SharedEvents.AddTo(message, later);
        message.Header = header;
        return true;
    }

    /// <summary>Wakes the reader for what was queued.</summary>
    internal void Publish()
    {
        TaskCompletionSource<bool>? reader;
        TaskCompletionSource? backlogWaiter = null;
        lock (_queueLock)
        {
            reader = _reader;
            _reader = null;
            if (_backlog >= _backlogWanted || _barrier > _taken)
            {
                backlogWaiter = _backlogWaiter;
                _backlogWaiter = null;
            }
        }
        reader?.TrySetResult(true);
        backlogWaiter?.TrySetResult();
    }

    private static int Weight(int events) => Math.Max(1, events);

    internal void MarkClosed()
    {
        Closed = true;
        TaskCompletionSource<bool>? reader;
        TaskCompletionSource? backlogWaiter;
        lock (_queueLock)
        {
            _ended = true;
            reader = _reader;
            _reader = null;
            backlogWaiter = _backlogWaiter;
            _backlogWaiter = null;
        }
        reader?.TrySetResult(false);
        backlogWaiter?.TrySetResult();
    }
}
