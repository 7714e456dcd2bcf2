using System.Threading.Channels;
using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Watch;

/// <summary>
/// The watchers of one client stream and the ordered queue of responses going out to it. The
/// queue's order is the stream's guarantee: a watcher's created response comes before its
/// events, its events in revision order, and a progress notification after every event it
/// vouches for. A session whose client reads slowly fills up; its watchers then fall behind
/// and catch up from history later, so the writers and other sessions never wait for it.
/// </summary>
public sealed class WatchSession
{
    /// <summary>Responses queued before the session's watchers stop taking new events live.</summary>
    public const int BacklogLimit = 4096;

    private readonly WatchHub _hub;
    private readonly Channel<WatchResponse> _outgoing = Channel.CreateUnbounded<WatchResponse>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
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

    /// <summary>Whether live events may still be queued (the client is keeping up).</summary>
    internal bool HasRoom => Volatile.Read(ref _backlog) < BacklogLimit;

    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>Creates a watcher; its created (or refused) response is queued.</summary>
    public void Create(WatchCreateRequest request) => _hub.Create(this, request);

    /// <summary>Cancels a watcher; nothing is answered for an id that is not watching.</summary>
    public void Cancel(long watchId) => _hub.Cancel(this, watchId);

    /// <summary>Queues a progress notification once every watcher of the session is up to date.</summary>
    public void RequestProgress() => _hub.RequestProgress(this);

    /// <summary>Removes every watcher and ends the response queue.</summary>
    public void Close() => _hub.Close(this);

    /// <summary>Waits until a response can be taken; false once the session is closed and drained.</summary>
    public ValueTask<bool> WaitToTakeAsync(CancellationToken cancellationToken) => _outgoing.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the next response; <paramref name="more"/> tells whether another one is already queued.</summary>
    public bool TryTake(out WatchResponse response, out bool more)
    {
        if (!_outgoing.Reader.TryRead(out response!))
        {
            more = false;
            return false;
        }
        var left = Interlocked.Decrement(ref _backlog);
        more = _outgoing.Reader.TryPeek(out _);
        // Halfway drained: watchers that fell behind for lack of room can catch up now.
        if (left == BacklogLimit / 2) _hub.RoomFreed();
        return true;
    }

    internal void Enqueue(WatchResponse response)
    {
        Interlocked.Increment(ref _backlog);
        _outgoing.Writer.TryWrite(response);
    }

    internal void MarkClosed()
    {
        Closed = true;
        _outgoing.Writer.TryComplete();
    }
}
