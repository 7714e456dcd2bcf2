using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>
/// One change an apply batch made and has not committed yet: enough to read the record back,
/// to report it to an observer, and to undo it.
/// </summary>
internal readonly struct Change(KeyHistory history, Revision revision, KeyValue? record, KeyValue? previous)
{
    public KeyHistory History { get; } = history;

    public Revision Revision { get; } = revision;

    /// <summary>The record written; null for a deletion.</summary>
    public KeyValue? Record { get; } = record;

    /// <summary>The key's record before the change; null when the key did not exist.</summary>
    public KeyValue? Previous { get; } = previous;

    public bool IsDeletion => Record is null;

    public Event ToEvent() => IsDeletion
        ? new Event
        {
            Type = Event.Types.EventType.Delete,
            // etcd reports a deletion as the bare key at the deleting revision.
            Kv = new KeyValue { Key = Previous!.Key, ModRevision = Revision.Main },
            PrevKv = Previous,
        }
        : new Event { Type = Event.Types.EventType.Put, Kv = Record, PrevKv = Previous };
}
