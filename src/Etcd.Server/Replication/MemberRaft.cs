using Etcd.Raft;
using Etcd.Server.Logging;

namespace Etcd.Server.Replication;

/// <summary>How a member's Raft node is configured.</summary>
public sealed record MemberRaftSettings
{
    public required ulong MemberId { get; init; }
    public required int ElectionTicks { get; init; }
    public required bool PreVote { get; init; }

    /// <summary>Applied entries between snapshots of the log (--snapshot-count).</summary>
    public required ulong SnapshotCount { get; init; }

    /// <summary>Entries kept behind a snapshot for slow followers (--experimental-snapshot-catchup-entries).</summary>
    public required ulong SnapshotCatchUpEntries { get; init; }

    public required Random Random { get; init; }

    public ulong MaxSizePerMsg { get; init; } = 1024 * 1024;

    public int MaxInflightMsgs { get; init; } = 512;

    /// <summary>Where Raft's own log lines go; by default the member's logger.</summary>
    public IRaftLogger? RaftLogger { get; init; }
}

/// <summary>
/// A member's Raft side as it starts: the in-memory log loaded from what the durable log gave
/// back, the node (bootstrapped on a new cluster's first start), and the Ready loop that
/// carries its output into the log, the peers and the state machine. The server and the
/// simulator both build members here.
/// </summary>
public sealed class MemberRaft
{
    private MemberRaft(RawNode node, MemoryStorage storage, ReadyProcessor readies, RaftLogCompaction compaction)
    {
        Node = node;
        Storage = storage;
        Readies = readies;
        Compaction = compaction;
    }

    public RawNode Node { get; }

    public MemoryStorage Storage { get; }

    public ReadyProcessor Readies { get; }

    public RaftLogCompaction Compaction { get; }

    /// <param name="bootstrapPeers">The members of a new cluster, on its first start; null otherwise.</param>
    public static MemberRaft Create(MemberRaftSettings settings, IRaftDurableLog log, RecoveredLog recovered, IReadOnlyList<Peer>? bootstrapPeers,
        IStateMachine state, IPeerSender peers, ZapLogger logger)
    {
        var storage = new MemoryStorage();
        var appliedFromSnapshot = RaftLogRecovery.Load(storage, recovered);
        var node = new RawNode(new RaftConfig
        {
            Id = settings.MemberId,
            ElectionTick = settings.ElectionTicks,
            HeartbeatTick = 1,
            Storage = storage,
            Applied = appliedFromSnapshot,
            MaxSizePerMsg = settings.MaxSizePerMsg,
            MaxInflightMsgs = settings.MaxInflightMsgs,
            MaxUncommittedEntriesSize = 1UL << 30,
            CheckQuorum = true,
            PreVote = settings.PreVote,
            Random = settings.Random,
            Logger = settings.RaftLogger ?? new RaftLogBridge(logger),
        });
        if (bootstrapPeers is not null) node.Bootstrap(bootstrapPeers);
        var compaction = new RaftLogCompaction(storage, log, state, logger, settings.SnapshotCount, settings.SnapshotCatchUpEntries);
        var readies = new ReadyProcessor(node, storage, log, peers, state, compaction, settings.MemberId, logger);
        return new MemberRaft(node, storage, readies, compaction);
    }
}
