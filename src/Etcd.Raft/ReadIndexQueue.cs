using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft;

/// <summary>
/// A leader's pending ReadIndex requests (Safe option), in arrival order, each waiting for a quorum
/// of heartbeat acknowledgements that carry its context. An acknowledgement of a request also
/// confirms every request queued before it, since it proves leadership at a later moment.
/// </summary>
internal sealed class ReadIndexQueue
{
    private readonly Dictionary<ByteString, PendingRead> _pending = [];
    private readonly Queue<ByteString> _queue = new();

    public ReadIndexQueue(ReadOnlyOption option) => Option = option;

    public ReadOnlyOption Option { get; }

    public int Count => _queue.Count;

    /// <summary>Queues a request (its context is in Entries[0].Data) to be answered with <paramref name="index"/>.</summary>
    public void Add(ulong index, Message request)
    {
        ByteString context = request.Entries[0].Data;
        if (_pending.ContainsKey(context))
        {
            return;
        }

        _pending[context] = new PendingRead(request, index);
        _queue.Enqueue(context);
        LastPendingContext = context;
    }

    /// <summary>Records that <paramref name="id"/> acknowledged the heartbeat carrying <paramref name="context"/>.</summary>
    public Dictionary<ulong, bool>? Acknowledge(ulong id, ByteString context)
    {
        if (!_pending.TryGetValue(context, out var read))
        {
            return null;
        }

        read.Acks[id] = true;
        return read.Acks;
    }

    /// <summary>
    /// Removes and returns the request with <paramref name="context"/> and all queued before it, now
    /// confirmed; empty if the context is unknown.
    /// </summary>
    public List<PendingRead> Release(ByteString context)
    {
        var released = new List<PendingRead>();
        if (!_pending.ContainsKey(context))
        {
            return released;
        }

        while (_queue.TryDequeue(out var queued))
        {
            released.Add(_pending[queued]);
            _pending.Remove(queued);
            if (queued.Equals(context))
            {
                break;
            }
        }

        if (_queue.Count == 0)
        {
            LastPendingContext = null;
        }

        return released;
    }

    /// <summary>The context of the newest request; heartbeats carry it so replies confirm all of them.</summary>
    public ByteString? LastPendingContext { get; private set; }

    internal sealed class PendingRead(Message request, ulong index)
    {
        public Message Request { get; } = request;

        public ulong Index { get; } = index;

        public Dictionary<ulong, bool> Acks { get; } = [];
    }
}
