using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;

namespace Etcd.Server.Replication;

/// <summary>
/// Carries out a node's Readies: persists, sends and applies each in the order Raft requires, then
/// advances. This is the one place those rules are enforced: <see cref="RaftNode"/> runs it on its
/// loop thread with the WAL and the peer transport, and the whole-cluster simulator runs it
/// unchanged with a simulated disk and network (which fail by throwing, cutting a Ready short as a
/// crash would).
/// <para>
/// The order, and why:
/// <list type="number">
/// <item><description>A snapshot from the leader is persisted (file and WAL marker), then applied: once
/// Raft's log starts at it, the state must be as of it.</description></item>
/// <item><description>A leader sends its messages before persisting; everyone else after. Followers
/// and candidates may promise only what is on disk (an append acknowledgement, a vote). A leader's
/// appends promise nothing, and it writes in parallel with its followers (Raft thesis §10.2.1,
/// as etcd does): it counts a follower's acknowledgement toward the commit index only when it
/// steps it, which happens between Readies, after this one's entries are durable, so a commit
/// never rests on the leader's unsynced copy.</description></item>
/// <item><description>Committed entries are applied after the entries of this Ready are persisted:
/// a restart replays what the backend lacks from the WAL.</description></item>
/// <item><description>Advance, then maybe snapshot the log (the backend is flushed first, then the WAL
/// released).</description></item>
/// </list>
/// </para>
/// </summary>
public sealed class ReadyProcessor(RawNode node, MemoryStorage storage, IRaftDurableLog log, IPeerSender peers, IStateMachine state,
    RaftLogCompaction compaction, ulong memberId, ZapLogger logger)
{
    public ulong MemberId => memberId;

    /// <summary>The leader this member knows of, 0 when none.</summary>
    public ulong Leader { get; private set; }

    public ulong Term { get; private set; } = node.Status().HardState.Term;

    public ulong CommitIndex { get; private set; } = node.Status().HardState.Commit;

    public bool IsLeader => Leader == memberId;

    /// <summary>Raised when the leader changes (new leader id, 0 for none), before the Ready is carried out.</summary>
    public event Action<ulong>? LeaderChanged;

    /// <summary>Raised for each answer to a ReadIndex request, after the Ready's entries are persisted.</summary>
    public event Action<ReadState>? ReadStateReceived;

    /// <summary>Raised when a snapshot from the leader was installed, with its index.</summary>
    public event Action<ulong>? SnapshotInstalled;

    /// <summary>Raised after each Ready's committed entries are applied (and before Advance), with how many there were.</summary>
    public event Action<int>? Applied;

    /// <summary>Carries out every pending Ready.</summary>
    public void ProcessAll()
    {
        while (node.HasReady()) Process(node.GetReady());
    }

    private void Process(Ready ready)
    {
        if (ready.SoftState is { } soft && soft.Lead != Leader)
        {
            var previous = Leader;
            Leader = soft.Lead;
            if (Leader != 0) logger.Info($"raft.node: {memberId:x} elected leader {Leader:x} at term {node.Status().HardState.Term}");
            else logger.Info($"raft.node: {memberId:x} lost leader {previous:x} at term {node.Status().HardState.Term}");
            LeaderChanged?.Invoke(Leader);
        }

        if (ready.Snapshot is { } snapshot && snapshot.Metadata is { Index: > 0 })
        {
            log.SaveSnapshot(snapshot);
            storage.ApplySnapshot(snapshot);
            state.Restore(snapshot);
            compaction.SnapshotIndex = compaction.ReplayedIndex = snapshot.Metadata.Index;
            SnapshotInstalled?.Invoke(snapshot.Metadata.Index);
        }

        var leaderSendsFirst = IsLeader;
#if PLANTED_BUGS
        leaderSendsFirst |= Testing.PlantedBug.FollowersSendBeforePersisting;
#endif
        if (leaderSendsFirst) Send(ready.Messages);

        var hardState = ready.HasHardState ? ready.HardState : null;
        log.Save(hardState, ready.Entries, ready.MustSync);
        if (hardState is not null)
        {
            storage.SetHardState(hardState);
            Term = hardState.Term;
            CommitIndex = hardState.Commit;
        }
        storage.Append(ready.Entries);

        // Entries and hard state are durable: now the messages that depend on them may go.
        if (!leaderSendsFirst) Send(ready.Messages);

        foreach (var read in ready.ReadStates) ReadStateReceived?.Invoke(read);

        if (ready.CommittedEntries.Count > 0)
        {
            state.Apply(ready.CommittedEntries, node);
            compaction.ReplayedIndex = ready.CommittedEntries[^1].Index;
        }
        Applied?.Invoke(ready.CommittedEntries.Count);

        node.Advance(ready);
        compaction.MaybeSnapshot();
    }

    /// <summary>Sends the messages; each MsgSnap is described as the state stands now, or reported failed when it cannot be yet.</summary>
    private void Send(IReadOnlyList<Message> messages)
    {
        if (messages.Count == 0) return;
        List<Message>? sendable = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Type == MessageType.MsgSnap && !OutgoingSnapshots.Describe(message, state, storage, compaction.ReplayedIndex))
            {
                sendable ??= [.. messages.Take(i)];
                node.ReportSnapshot(message.To, SnapshotStatus.Failure);
                continue;
            }
            sendable?.Add(message);
        }
        peers.Send(sendable ?? messages);
    }
}
