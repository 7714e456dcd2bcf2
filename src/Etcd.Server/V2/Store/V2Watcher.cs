using System.Threading.Channels;

namespace Etcd.Server.V2.Store;

/// <summary>
/// One v2 watch: events arrive on <see cref="Events"/>. A plain watch ends after its first
/// event; a stream watch stays until removed. A watcher that falls 100 events behind is dropped
/// from the hub (as etcd drops it) and simply receives nothing more.
/// </summary>
public sealed class V2Watcher
{
    private const int Buffer = 100;
    private readonly Channel<V2Event> _events = Channel.CreateBounded<V2Event>(new BoundedChannelOptions(Buffer) { SingleReader = true });
    private readonly V2WatcherHub _hub;

    internal V2Watcher(V2WatcherHub hub, string key, bool recursive, bool stream, ulong sinceIndex, ulong startIndex)
    {
        _hub = hub;
        Key = key;
        Recursive = recursive;
        Stream = stream;
        SinceIndex = sinceIndex;
        StartIndex = startIndex;
    }

    public string Key { get; }
    public bool Recursive { get; }
    public bool Stream { get; }
    public ulong SinceIndex { get; }

    /// <summary>The store's index when the watch began (answered as X-Etcd-Index).</summary>
    public ulong StartIndex { get; }

    public ChannelReader<V2Event> Events => _events.Reader;

    internal bool Removed { get; set; }

    /// <summary>Offers the event; true when this watcher took it (or was dropped for being full).</summary>
    internal bool Offer(V2Event e, bool originalPath, bool deleted)
    {
        if (!(Recursive || originalPath || deleted) || e.Index < SinceIndex) return false;
        if (!_events.Writer.TryWrite(e)) _hub.Detach(this);
        return true;
    }

    internal void Deliver(V2Event e) => _events.Writer.TryWrite(e);

    /// <summary>Ends the watch: no more events, and the hub forgets it.</summary>
    public void Remove()
    {
        _events.Writer.TryComplete();
        _hub.Detach(this);
    }
}
