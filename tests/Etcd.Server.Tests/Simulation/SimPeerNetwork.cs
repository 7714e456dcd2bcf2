using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// The peer transport between simulated members: messages travel as bytes (raftpb, as on the
/// wire) and are dropped, duplicated (all but proposals) and delayed (hence reordered); partitions split the members
/// into groups that cannot reach each other. A snapshot carries the sender's backend; its sender
/// hears whether it arrived, as the server's snapshot sender reports to Raft.
/// </summary>
internal sealed class SimPeerNetwork(ClusterSim sim)
{
    private readonly PriorityQueue<InFlight, (long Time, long Seq)> _queue = new();
    private readonly Dictionary<ulong, int> _group = [];
    private long _seq;

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public int MaxDelay { get; set; }

    public bool Partitioned => _group.Count > 0;

    public int InFlightCount => _queue.Count;

    public void Send(Message message, ulong from, int incarnation, byte[]? backend)
    {
        var wire = message.ToByteArray();
        var random = sim.Random;
        if (random.NextDouble() < DropRate)
        {
            sim.Stats.Dropped++;
            if (message.Type == MessageType.MsgSnap) Schedule(new InFlight(wire, message.To, from, incarnation, null, SnapshotStatus.Failure), 1);
            return;
        }
        // Raft takes duplicates of its own messages in its stride; a forwarded proposal delivered
        // twice would be a second client request (a lease granted again after its revocation).
        // The server's streams deliver each message at most once, so only Raft's messages are
        // duplicated here, to test Raft.
        var copies = message.Type != MessageType.MsgProp && random.NextDouble() < DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
            Schedule(new InFlight(wire, message.To, from, incarnation, backend, null), random.Next(1, MaxDelay + 1));
    }

    /// <summary>Delivers everything due by <paramref name="now"/>.</summary>
    public void DeliverDue(long now)
    {
        while (_queue.TryPeek(out _, out var at) && at.Time <= now) Deliver(_queue.Dequeue());
    }

    /// <summary>Splits the members into two random groups (a member alone on one side is isolated).</summary>
    public void Partition(IEnumerable<ulong> ids)
    {
        _group.Clear();
        foreach (var id in ids) _group[id] = sim.Random.Next(2);
        sim.Trace($"partition: {string.Join(' ', _group.Select(g => $"{g.Key}:{g.Value}"))}");
    }

    public void Heal() => _group.Clear();

    private bool CanTalk(ulong a, ulong b) => _group.GetValueOrDefault(a) == _group.GetValueOrDefault(b);

    private void Schedule(InFlight flight, int delay) => _queue.Enqueue(flight, (sim.Now + delay, _seq++));

    private void Deliver(InFlight flight)
    {
        // A removed member's messages are refused, as the transport refuses removed members.
        if (sim.TryMember(flight.From) is not { } sender) return;
        var senderAlive = sender.IsUp && sender.Incarnation == flight.Incarnation;
        if (flight.SnapshotReport is { } report)
        {
            if (senderAlive) sender.ReportSnapshot(flight.To, report);
            return;
        }
        var message = Message.Parser.ParseFrom(flight.Wire);
        // A member not started yet (or removed) is as unreachable as one that is down.
        var to = sim.TryMember(flight.To);
        if (to is not { IsUp: true } || !CanTalk(flight.From, flight.To))
        {
            sim.Stats.Dropped++;
            if (message.Type == MessageType.MsgSnap) Schedule(flight with { SnapshotReport = SnapshotStatus.Failure }, 1);
            else if (senderAlive) sender.ReportUnreachable(flight.To);
            return;
        }
        sim.Stats.Delivered++;
        to.Receive(message, flight.Backend);
        if (message.Type == MessageType.MsgSnap) Schedule(flight with { SnapshotReport = SnapshotStatus.Finish }, 1);
    }

    private sealed record InFlight(byte[] Wire, ulong To, ulong From, int Incarnation, byte[]? Backend, SnapshotStatus? SnapshotReport);
}
