using Etcd.Raft.Raftpb;

namespace Etcd.Raft;

/// <summary>
/// Everything a node wants done, handed out by <see cref="RawNode.GetReady"/>. The application must
/// act on it in this order, then call <see cref="RawNode.Advance"/>:
/// <list type="number">
/// <item><description>Persist <see cref="HardState"/> (when <see cref="HasHardState"/>),
/// <see cref="Entries"/> and <see cref="Snapshot"/> to stable storage, synchronously when
/// <see cref="MustSync"/>. Appending Entries replaces any conflicting suffix of the stored log.</description></item>
/// <item><description>Then send <see cref="Messages"/>: a vote or an append acknowledgement
/// promises that the vote / entries are durable. A leader may instead send before persisting, so
/// that it writes in parallel with its followers (Raft thesis §10.2.1), provided it persists this
/// Ready before it steps any further message: it counts its own entries toward the commit index
/// as soon as they are appended, so an acknowledgement stepped before its own write is durable
/// could commit an entry that fewer than a quorum hold on disk. (The server's ReadyProcessor does
/// this: it steps messages only between Readies.)
/// If a message is a MsgSnap, send a snapshot of the state machine as applied now, with the
/// current membership (as etcd's server does), rather than the stored one: the stored snapshot may
/// predate the recipient's addition, and a node refuses a snapshot whose membership lacks it. Keep
/// its index at or above the one in the message. Report the outcome with
/// <see cref="RawNode.ReportSnapshot"/>.</description></item>
/// <item><description>Apply <see cref="Snapshot"/> and then <see cref="CommittedEntries"/> to the state
/// machine, in order. Configuration change entries are applied by calling
/// <see cref="RawNode.ApplyConfChange(ConfChangeV2)"/>.</description></item>
/// <item><description>Serve reads whose <see cref="ReadStates"/> index is now applied.</description></item>
/// </list>
/// The lists are read-only views; they stay valid after Advance.
/// </summary>
public sealed class Ready
{
    internal Ready(
        SoftState? softState,
        HardState hardState,
        bool hasHardState,
        IReadOnlyList<ReadState> readStates,
        IReadOnlyList<Entry> entries,
        Snapshot? snapshot,
        IReadOnlyList<Entry> committedEntries,
        IReadOnlyList<Message> messages,
        bool mustSync)
    {
        SoftState = softState;
        HardState = hardState;
        HasHardState = hasHardState;
        ReadStates = readStates;
        Entries = entries;
        Snapshot = snapshot;
        CommittedEntries = committedEntries;
        Messages = messages;
        MustSync = mustSync;
    }

    /// <summary>Leader and role, when they changed since the previous Ready; informational only.</summary>
    public SoftState? SoftState { get; }

    /// <summary>Term, vote and commit to persist BEFORE sending Messages; all zero when unchanged.</summary>
    public HardState HardState { get; }

    /// <summary>Whether <see cref="HardState"/> changed and must be persisted.</summary>
    public bool HasHardState { get; }

    /// <summary>Answers to ReadIndex requests: serve each read once the applied index reaches its index.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>Log entries to persist BEFORE sending Messages.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>A snapshot from the leader to persist and apply; null when none.</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>Entries to apply to the state machine, in order. They are committed (on a quorum).</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; }

    /// <summary>Messages to send AFTER Entries and HardState are durable.</summary>
    public IReadOnlyList<Message> Messages { get; }

    /// <summary>
    /// Whether HardState and Entries must reach disk synchronously (new entries, or a new term or vote);
    /// a commit-index-only change may be written lazily.
    /// </summary>
    public bool MustSync { get; }

    /// <summary>The index the application will have applied once it handles this Ready.</summary>
    internal ulong AppliedCursor
    {
        get
        {
            if (CommittedEntries.Count > 0)
            {
                return CommittedEntries[^1].Index;
            }

            return Snapshot?.Metadata?.Index ?? 0;
        }
    }
}
