using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Server.Watch;

/// <summary>
/// One watcher of a session: the keys it watches, its options, and how far it has been served.
/// Everything mutable is guarded by the hub's lock.
/// </summary>
public sealed class Watcher
{
    internal Watcher(WatchSession session, long id, byte[] key, byte[]? end, WatchCreateRequest request)
    {
        Session = session;
        Id = id;
        Key = key;
        End = end;
        PrevKv = request.PrevKv;
        ProgressNotify = request.ProgressNotify;
        Fragment = request.Fragment;
        foreach (var filter in request.Filters)
        {
            if (filter == WatchCreateRequest.Types.FilterType.Noput) DropsPuts = true;
            else if (filter == WatchCreateRequest.Types.FilterType.Nodelete) DropsDeletes = true;
        }
    }

    public WatchSession Session { get; }

    public long Id { get; }

    /// <summary>First key watched (etcd turns an empty key into "\0").</summary>
    public byte[] Key { get; }

    /// <summary>Null: the single key <see cref="Key"/>; empty: every key from it on; else the exclusive end.</summary>
    public byte[]? End { get; }

    public bool PrevKv { get; }

    public bool ProgressNotify { get; }

    public bool Fragment { get; }

    public bool DropsPuts { get; }

    public bool DropsDeletes { get; }

    public bool IsSingleKey => End is null;

    /// <summary>The first revision whose events this watcher has not been sent yet.</summary>
    internal long NextRevision { get; set; }

    internal WatcherState State { get; set; }

    /// <summary>Events were sent since the last progress tick (etcd then skips the tick's notification).</summary>
    internal bool SentSinceProgressTick { get; set; }

    /// <summary>Position in the list of the index that holds it, for removal in constant time.</summary>
    internal int Slot { get; set; } = -1;

    /// <summary>The sequence number of its last event response queued in its session (0: none yet).</summary>
    internal long QueuedSequence { get; set; }

    /// <summary>Its events of the revision being dispatched (empty otherwise); kept for reuse.</summary>
    internal List<Event> Gathered { get; } = [];

    public bool Contains(ReadOnlySpan<byte> key)
    {
        if (End is null) return key.SequenceEqual(Key);
        if (key.SequenceCompareTo(Key) < 0) return false;
        return End.Length == 0 || key.SequenceCompareTo(End) < 0;
    }

    public bool Wants(Event change) => change.Type == Event.Types.EventType.Put ? !DropsPuts : !DropsDeletes;
}

internal enum WatcherState
{
    /// <summary>Being created: in no group yet.</summary>
    New,
    /// <summary>Sent everything up to the hub's notified revision: gets new events as they commit.</summary>
    Synced,
    /// <summary>Behind (started in the past, or its session was full): catches up from history.</summary>
    Unsynced,
    /// <summary>Cancelled, compacted or its session closed.</summary>
    Removed,
}
