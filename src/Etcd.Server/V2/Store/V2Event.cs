namespace Etcd.Server.V2.Store;

/// <summary>
/// What a v2 operation did (etcd's Event): the action, the node after it and the node before.
/// Immutable once made; the event history and every watcher share the same instance.
/// </summary>
public sealed class V2Event(string action, V2NodeView? node)
{
    public const string Get = "get";
    public const string Create = "create";
    public const string Set = "set";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string CompareAndSwap = "compareAndSwap";
    public const string CompareAndDelete = "compareAndDelete";
    public const string Expire = "expire";

    public string Action { get; } = action;
    public V2NodeView? Node { get; } = node;
    public V2NodeView? PrevNode { get; init; }

    /// <summary>A refresh only renews a TTL: it is in the history but wakes no watcher.</summary>
    public bool Refresh { get; init; }

    /// <summary>The store's index when the event was answered (X-Etcd-Index); not part of the JSON.</summary>
    public ulong EtcdIndex { get; init; }

    /// <summary>The index the event happened at (its node's modifiedIndex).</summary>
    public ulong Index => Node?.ModifiedIndex ?? 0;

    /// <summary>Answered with 201 Created: a create, or a set that found nothing before.</summary>
    public bool IsCreated => Action == Create || (Action == Set && PrevNode is null);

    public V2Event WithEtcdIndex(ulong index) => new(Action, Node) { PrevNode = PrevNode, Refresh = Refresh, EtcdIndex = index };
}
