using Etcd.Api.Etcdserverpb;

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
    /// <summary>Responses queued before the session's watchers stop taking new events live.</summary>
    public const int BacklogLimit = 4096;

    private readonly WatchHub _hub;
    private readonly Lock _queueLock = new();
    private readonly Queue<WatchResponse> _queue = new();
    private TaskCompletionSource<bool>? _reader;
    private bool _ended;

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

    public int Backlog
    {
        get
        {
            lock (_queueLock) return _queue.Count;
        }
    }

    /// <summary>Creates a watcher; its created (or refused) response is queued.</summary>
    public void Create(WatchCreateRequest request) => _hub.Create(this, request);

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

    /// <summary>Takes the next response; <paramref name="more"/> tells whether another one is already queued.</summary>
    public bool TryTake(out WatchResponse response, out bool more)
    {
        int left;
        lock (_queueLock)
        {
            if (!_queue.TryDequeue(out response!))
            {
                more = false;
                return false;
            }
            left = _queue.Count;
        }
        more = left > 0;
        // Halfway drained: watchers that fell behind for lack of room can catch up now.
        if (left == BacklogLimit / 2) _hub.RoomFreed();
        return true;
    }

    /// <summary>Queues a response; the reader learns of it at <see cref="Publish"/>.</summary>
    internal void Enqueue(WatchResponse response)
    {
        lock (_queueLock) _queue.Enqueue(response);
    }

    /// <summary>Wakes the reader for what was queued.</summary>
    internal void Publish()
    {
        TaskCompletionSource<bool>? reader;
        lock (_queueLock)
        {
            reader = _reader;
            _reader = null;
        }
        reader?.TrySetResult(true);
    }

    internal void MarkClosed()
    {
        Closed = true;
        TaskCompletionSource<bool>? reader;
        lock (_queueLock)
        {
            _ended = true;
            reader = _reader;
            _reader = null;
        }
        reader?.TrySetResult(false);
    }
}
