using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>
/// One change an apply batch made and has not committed yet: enough to read the record back,
/// to report it to an observer, and to undo it.
/// </summary>
internal readonly struct Change(KeyHistory history, Revision revision, KeyValue? record, PreviousRecord previous)
{
    public KeyHistory History { get; } = history;

    public Revision Revision { get; } = revision;

    /// <summary>The record written, whole; null for a deletion.</summary>
    public KeyValue? Record { get; } = record;

    /// <summary>The key's newest record before the change, as the index held it.</summary>
    public PreviousRecord Previous { get; } = previous;

    /// <summary>The change as a watch event; <paramref name="loader"/> supplies previous values the index did not hold.</summary>
    public Event ToEvent(IRecordLoader loader)
    {
        KeyValue? previous = Previous.Whole(loader);
        return Record is null
            ? new Event
            {
                Type = Event.Types.EventType.Delete,
                // etcd reports a deletion as the bare key at the deleting revision.
                Kv = new KeyValue { Key = previous!.Key, ModRevision = Revision.Main },
                PrevKv = previous,
            }
            : new Event { Type = Event.Types.EventType.Put, Kv = Record, PrevKv = previous };
    }
}

/// <summary>A key's newest record as the index held it: maybe without its value (see <see cref="KeyHistory"/>).</summary>
internal readonly struct PreviousRecord(KeyValue? record, bool hasValue, Revision revision)
{
    /// <summary>Null when the key did not exist.</summary>
    public KeyValue? Record { get; } = record;

    public bool HasValue { get; } = hasValue;

    /// <summary>Where the record is stored; meaningful only when <see cref="Record"/> is set.</summary>
    public Revision Revision { get; } = revision;

    public static PreviousRecord Of(KeyHistory? history) => history?.Latest is KeyValue latest
        ? new PreviousRecord(latest, history.LatestHasValue, history.Newest.Revision)
        : default;

    /// <summary>The record with its value, loading the value when the index did not hold it.</summary>
    public KeyValue? Whole(IRecordLoader loader) => Record is null || HasValue ? Record : loader.Load(Revision);
}
