using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Server.Watch;

/// <summary>
/// The events one revision brought to a set of watchers that all get the same ones (typically
/// every watcher of a key), with the revision's header. Queued once per watcher as a watch id
/// beside this object instead of one response each: a put seen by a thousand watchers used to
/// allocate a thousand responses on the apply loop.
/// </summary>
internal sealed class SharedEvents(ResponseHeader header, Event[] events)
{
    public ResponseHeader Header => header;

    public Event[] Events => events;

    /// <summary>True when <paramref name="gathered"/> holds exactly these events (the same objects, in order).</summary>
    public bool Holds(List<Event> gathered)
    {
        if (gathered.Count != events.Length) return false;
        for (var i = 0; i < events.Length; i++)
        {
            if (!ReferenceEquals(gathered[i], events[i])) return false;
        }
        return true;
    }

    /// <summary>Fills <paramref name="response"/> as <paramref name="watchId"/>'s response (it may be reused: header and events are replaced).</summary>
    public WatchResponse Fill(WatchResponse response, long watchId)
    {
        response.WatchId = watchId;
        response.Header = header;
        response.Events.Clear();
        AddTo(response, events);
        return response;
    }

    /// <summary>
    /// Appends one by one: RepeatedField's AddRange enumerates a collection through an
    /// allocated enumerator (to refuse nulls), once per response on the hot path.
    /// </summary>
    public static void AddTo(WatchResponse response, IReadOnlyList<Event> events)
    {
        for (var i = 0; i < events.Count; i++) response.Events.Add(events[i]);
    }
}

/// <summary>
/// Merges shared events queued for a watcher with the next revision's, for a client that is
/// behind. The watchers that shared the earlier events usually share the later ones too, and
/// are merged one after another: they get one merged object instead of a message each.
/// </summary>
internal sealed class SharedEventsMerges
{
    private SharedEvents? _earlier;
    private SharedEvents? _later;
    private SharedEvents? _merged;

    /// <summary>The events of <paramref name="earlier"/> then <paramref name="later"/>, under the later header.</summary>
    public SharedEvents Merge(SharedEvents earlier, SharedEvents later)
    {
        if (ReferenceEquals(earlier, _earlier) && ReferenceEquals(later, _later)) return _merged!;
        _earlier = earlier;
        _later = later;
        _merged = new SharedEvents(later.Header, [.. earlier.Events, .. later.Events]);
        return _merged;
    }
}

/// <summary>One response queued for a stream: a whole message, or a watcher's id with shared events.</summary>
internal readonly record struct QueuedResponse(WatchResponse? Message, SharedEvents? Shared, long WatchId)
{
    public int EventCount => Message?.Events.Count ?? Shared!.Events.Length;
}
