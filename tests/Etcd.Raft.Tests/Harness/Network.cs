using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tests.Harness;

/// <summary>
/// Rafts wired together synchronously: <see cref="Send"/> delivers a message and everything it
/// causes, breadth-first, until the network is quiet. Links can be cut and message types ignored.
/// Entries are never persisted; the unstable log serves reads. Messages are cloned on delivery,
/// as a real transport would serialize them.
/// </summary>
internal sealed class Network
{
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly HashSet<ulong> _isolated = [];
    private readonly HashSet<MessageType> _ignored = [];

    public Network(params Raft?[] peers)
    {
        for (int i = 0; i < peers.Length; i++)
        {
            ulong id = (ulong)i + 1;
            Peers[id] = peers[i] ?? Rafts.New(id, [.. Enumerable.Range(1, peers.Length).Select(n => (ulong)n)]);
        }
    }

    public static Network OfSize(int n, Action<RaftOptions>? options = null)
    {
        ulong[] ids = [.. Enumerable.Range(1, n).Select(i => (ulong)i)];
        return new Network([.. ids.Select(id => Rafts.New(id, ids, options: options))]);
    }

    public Dictionary<ulong, Raft> Peers { get; } = [];

    /// <summary>Messages delivered so far, in order (for assertions on traffic).</summary>
    public List<Message> Delivered { get; } = [];

    public Raft this[ulong id] => Peers[id];

    public void Send(params Message[] messages)
    {
        var queue = new Queue<Message>(messages);
        while (queue.TryDequeue(out var m))
        {
            if (!Peers.TryGetValue(m.To, out var r) || Dropped(m))
            {
                continue;
            }

            Delivered.Add(m);
            r.Step(m.Clone());
            foreach (var reply in r.TakeMessages())
            {
                queue.Enqueue(reply);
            }
        }
    }

    /// <summary>Makes <paramref name="id"/> campaign and runs the election to completion.</summary>
    public void Campaign(ulong id) => Send(new Message { From = id, To = id, Type = MessageType.MsgHup });

    public void Propose(ulong id, string data = "somedata") => Send(Rafts.Prop(id, data));

    public void Cut(ulong a, ulong b)
    {
        _cut.Add((a, b));
        _cut.Add((b, a));
    }

    public void Isolate(ulong id) => _isolated.Add(id);

    public void Ignore(MessageType type) => _ignored.Add(type);

    public void Recover()
    {
        _cut.Clear();
        _isolated.Clear();
        _ignored.Clear();
    }

    private bool Dropped(Message m) =>
        _cut.Contains((m.From, m.To)) || (m.From != m.To && (_isolated.Contains(m.From) || _isolated.Contains(m.To))) || _ignored.Contains(m.Type);
}
