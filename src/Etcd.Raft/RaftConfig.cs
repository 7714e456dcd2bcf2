namespace Etcd.Raft;

/// <summary>Parameters of one Raft node. Validated when a <see cref="RawNode"/> is created.</summary>
public sealed class RaftConfig
{
    /// <summary>This node's id; never 0 (0 means "nobody" throughout the protocol).</summary>
    public required ulong Id { get; init; }

    /// <summary>
    /// Ticks a follower waits without hearing from a leader before campaigning; the actual timeout is
    /// drawn from [ElectionTick, 2*ElectionTick) on every reset. Must exceed <see cref="HeartbeatTick"/>;
    /// 10 heartbeats is the usual choice.
    /// </summary>
    public int ElectionTick { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats.</summary>
    public int HeartbeatTick { get; init; } = 1;

    /// <summary>The durable log, hard state and snapshot this node restarts from and reads back.</summary>
    public required IRaftStorage Storage { get; init; }

    /// <summary>
    /// The last index the application had applied before a restart; committed entries up to it are
    /// not handed out again. 0 on a fresh start.
    /// </summary>
    public ulong Applied { get; init; }

    /// <summary>
    /// Byte budget of the entries in one append message (0: one entry per message;
    /// <see cref="ulong.MaxValue"/>: unlimited). At least one entry is always sent.
    /// </summary>
    public ulong MaxSizePerMsg { get; init; } = 1024 * 1024;

    /// <summary>Byte budget of <see cref="Ready.CommittedEntries"/> per Ready; 0 means use MaxSizePerMsg.</summary>
    public ulong MaxCommittedSizePerReady { get; init; }

    /// <summary>
    /// Upper bound on the payload bytes a leader keeps appended but uncommitted; further proposals are
    /// dropped until entries commit. 0 means no limit.
    /// </summary>
    public ulong MaxUncommittedEntriesSize { get; init; }

    /// <summary>Append messages that may be in flight to one follower while replicating optimistically.</summary>
    public int MaxInflightMsgs { get; init; } = 512;

    /// <summary>A leader that has not heard from a quorum for an election timeout steps down.</summary>
    public bool CheckQuorum { get; init; }

    /// <summary>
    /// Poll peers before incrementing the term (Raft thesis §9.6), so a node rejoining after a
    /// partition does not depose a healthy leader.
    /// </summary>
    public bool PreVote { get; init; }

    /// <summary>How ReadIndex requests are confirmed. LeaseBased requires <see cref="CheckQuorum"/>.</summary>
    public ReadOnlyOption ReadOnlyOption { get; init; } = ReadOnlyOption.Safe;

    /// <summary>Followers drop proposals instead of forwarding them to the leader.</summary>
    public bool DisableProposalForwarding { get; init; }

    /// <summary>The only source of randomness (election timeouts). Seed it to make runs repeatable.</summary>
    public required Random Random { get; init; }

    /// <summary>Receives notable events; null discards them.</summary>
    public IRaftLogger? Logger { get; init; }

    internal void Validate()
    {
        if (Id == 0)
        {
            throw new ArgumentException("raft: Id must not be 0 (0 means no node)");
        }

        if (HeartbeatTick <= 0)
        {
            throw new ArgumentException("raft: HeartbeatTick must be greater than 0");
        }

        if (ElectionTick <= HeartbeatTick)
        {
            throw new ArgumentException("raft: ElectionTick must be greater than HeartbeatTick");
        }

        if (MaxInflightMsgs <= 0)
        {
            throw new ArgumentException("raft: MaxInflightMsgs must be greater than 0");
        }

        if (ReadOnlyOption == ReadOnlyOption.LeaseBased && !CheckQuorum)
        {
            throw new ArgumentException("raft: CheckQuorum must be enabled when ReadOnlyOption is LeaseBased");
        }

        ArgumentNullException.ThrowIfNull(Storage);
        ArgumentNullException.ThrowIfNull(Random);
    }

    internal ulong EffectiveMaxUncommittedSize => MaxUncommittedEntriesSize == 0 ? ulong.MaxValue : MaxUncommittedEntriesSize;

    internal ulong EffectiveMaxCommittedSizePerReady => MaxCommittedSizePerReady == 0 ? MaxSizePerMsg : MaxCommittedSizePerReady;
}
