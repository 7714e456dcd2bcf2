using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// Messages in flight, delivered at their scheduled time. The network drops, duplicates and delays
/// (hence reorders) messages, and partitions the nodes into groups that cannot talk to each other.
/// Each delivery gets its own copy of the message, as serialization would give.
/// </summary>
internal sealed class SimNetwork
{
    private readonly Simulator _sim;
    private readonly PriorityQueue<InFlight, (long Time, long Seq)> _queue = new();
    private readonly Dictionary<ulong, int> _group = [];
    private long _seq;

    public SimNetwork(Simulator sim) => _sim = sim;

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public int MaxDelay { get; set; }

    public bool Partitioned => _group.Count > 0;

    public void Send(Message m, SimNode from)
    {
        if (m.Type == MessageType.MsgSnap)
        {
            // Like etcd's server, send the application's current state rather than the stored
            // snapshot, which may predate the recipient's own addition to the cluster.
            m.Snapshot = from.CurrentSnapshot();
        }

        var random = _sim.Random;
        if (random.NextDouble() < DropRate)
        {
            _sim.Trace($"drop {RaftFormat.Message(m)}");
            if (m.Type == MessageType.MsgSnap)
            {
                Schedule(new InFlight(m, from.Id, from.Incarnation, SnapshotReport: SnapshotStatus.Failure), 1);
            }

            return;
        }

        int copies = random.NextDouble() < DuplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++)
        {
            Schedule(new InFlight(m, from.Id, from.Incarnation, SnapshotReport: null), random.Next(1, MaxDelay + 1));
        }
    }

    /// <summary>Delivers everything due by <paramref name="now"/>.</summary>
    public void DeliverDue(long now)
    {
        while (_queue.TryPeek(out var flight, out var at) && at.Time <= now)
        {
            _queue.Dequeue();
            Deliver(flight);
        }
    }

    /// <summary>Splits the nodes into two random groups (a node alone on one side is isolated).</summary>
    public void Partition(IEnumerable<ulong> ids)
    {
        _group.Clear();
        foreach (ulong id in ids)
        {
            _group[id] = _sim.Random.Next(2);
        }
    }

    public void Heal() => _group.Clear();

    private bool CanTalk(ulong a, ulong b) => _group.GetValueOrDefault(a) == _group.GetValueOrDefault(b);

    private void Schedule(InFlight flight, int delay) => _queue.Enqueue(flight, (_sim.Now + delay, _seq++));

    private void Deliver(InFlight flight)
    {
        var m = flight.Message;
        if (flight.SnapshotReport is { } report)
        {
            // The transport tells the sender (same incarnation only) how sending the snapshot went.
            var sender = _sim.Node(flight.From);
            if (sender?.Node is not null && sender.Incarnation == flight.Incarnation)
            {
                sender.Node.ReportSnapshot(m.To, report);
            }

            return;
        }

        var to = _sim.Node(m.To);
        if (to?.Node is null || !CanTalk(flight.From, m.To))
        {
            _sim.Trace($"lost {RaftFormat.Message(m)}");
            if (m.Type == MessageType.MsgSnap)
            {
                Schedule(flight with { SnapshotReport = SnapshotStatus.Failure }, 1);
            }
            else if (_sim.Node(flight.From) is { Node: not null } sender && sender.Incarnation == flight.Incarnation)
            {
                sender.Node.ReportUnreachable(m.To);
            }

            return;
        }

        _sim.Trace($"deliver {RaftFormat.Message(m)}");
        var stats = _sim.Stats;
        stats.Delivered++;
        stats.Mix(((ulong)m.Type << 56) ^ (m.From << 48) ^ (m.To << 40) ^ (m.Term << 24) ^ m.Index);
        stats.Mix((ulong)_sim.Now);
        var error = to.Node.Step(m.Clone());
        if (error is not RaftError.None and not RaftError.StepPeerNotFound and not RaftError.ProposalDropped)
        {
            throw new SimulationFailure($"node {m.To} refused {RaftFormat.Message(m)}: {error}");
        }

        if (m.Type == MessageType.MsgSnap)
        {
            Schedule(flight with { SnapshotReport = SnapshotStatus.Finish }, 1);
        }
    }

    private sealed record InFlight(Message Message, ulong From, int Incarnation, SnapshotStatus? SnapshotReport);
}
