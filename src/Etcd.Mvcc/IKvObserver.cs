using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>
/// Sees every committed write, once per commit, on the applying thread, after the changes are
/// visible to readers. Events are built only when an observer is set.
/// </summary>
public interface IKvObserver
{
    /// <summary>
    /// Revisions (<paramref name="afterRevision"/>, <paramref name="throughRevision"/>] were committed;
    /// <paramref name="events"/> are their changes in revision order, each with prev_kv when the key
    /// existed before. Records are shared with the store and must not be mutated.
    /// </summary>
    void Committed(long afterRevision, long throughRevision, IReadOnlyList<Event> events);

    /// <summary>
    /// The store was rebuilt from another backend (<see cref="KvStore.Restore"/>): its history now
    /// runs to <paramref name="revision"/>, and the revisions between the last commit seen and it
    /// came with no events. Called on the applying thread, after readers see the new state.
    /// </summary>
    void Restored(long revision);
}
