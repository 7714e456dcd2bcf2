using Etcd.Raft.Log;
using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;

namespace Etcd.Raft;

/// <summary>Log replication: appends, heartbeats and snapshots, on both the sending and receiving side.</summary>
internal sealed partial class Raft
{
    /// <summary>Stamps term and index on new entries and appends them to the leader's log.</summary>
    private bool AppendEntries(IList<Entry> entries)
    {
        ulong lastIndex = Log.LastIndex;
        ulong payload = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            entry.Term = Term;
            entry.Index = lastIndex + 1 + (ulong)i;
            payload += EntrySize.Payload(entry);
        }

        if (!TryIncreaseUncommittedSize(payload))
        {
            _logger?.Debug($"{Id:x} appending new entries to log would exceed uncommitted entry size limit; dropping proposal");
            return false;
        }

        lastIndex = entries.Count == 1 ? Log.Append(entries[0]) : Log.AppendRange((IReadOnlyList<Entry>)entries, 0);
        Tracker.Get(Id)?.MaybeUpdate(lastIndex);

        // The caller broadcasts whether or not this commits (a single voter commits right away).
        MaybeCommit();
        return true;
    }

    private bool AppendEntry(Entry entry)
    {
        _singleProposal[0] = entry;
        return AppendEntries(_singleProposal);
    }

    /// <summary>Advances the commit index to what a quorum has (entries of our term only).</summary>
    private bool MaybeCommit() => Log.MaybeCommit(Tracker.Committed(), Term);

    private void SendAppend(ulong to, Progress pr) => MaybeSendAppend(to, pr, sendIfEmpty: true);

    /// <summary>
    /// Sends the follower the entries it needs next (or a snapshot if they were compacted), unless
    /// flow control pauses it. Empty appends still carry the commit index; they are skipped when
    /// <paramref name="sendIfEmpty"/> is false. Returns whether a message was sent.
    /// </summary>
    private bool MaybeSendAppend(ulong to, Progress pr, bool sendIfEmpty)
    {
        if (pr.IsPaused)
        {
            return false;
        }

        bool termKnown = Log.TryGetTerm(pr.Next - 1, out ulong prevTerm);
        bool entriesKnown = Log.TryGetEntriesFrom(pr.Next, _maxMsgSize, out var entries);
        if (entries.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        if (!termKnown || !entriesKnown)
        {
            return SendSnapshot(to, pr);
        }

        if (TryExtendQueuedAppend(to, pr, prevTerm, entries))
        {
            return true;
        }

        var m = new Message
        {
            To = to,
            Type = MessageType.MsgApp,
            Index = pr.Next - 1,
            LogTerm = prevTerm,
            Commit = Log.Committed,
        };
        if (entries.Count > 0)
        {
            m.Entries.AddRange(entries);
            switch (pr.State)
            {
                case ProgressState.Replicate:
                    // Stream optimistically: assume delivery and move on, bounded by the window.
                    ulong last = entries[^1].Index;
                    pr.OptimisticUpdate(last);
                    pr.Inflights.Add(last);
                    break;
                case ProgressState.Probe:
                    // One probe at a time until the follower answers.
                    pr.ProbeSent = true;
                    break;
                default:
                    throw new InvalidOperationException($"{Id:x} is sending append in unhandled state {pr.State}");
            }
        }

        Send(m);
        return true;
    }

    /// <summary>The entries the follower needs are compacted away: send the latest snapshot instead.</summary>
    private bool SendSnapshot(ulong to, Progress pr)
    {
        if (!pr.RecentActive)
        {
            _logger?.Debug($"ignore sending snapshot to {to:x} since it is not recently active");
            return false;
        }

        Snapshot snapshot;
        try
        {
            snapshot = Log.Snapshot();
        }
        catch (RaftStorageException e) when (e.Error == StorageError.SnapshotTemporarilyUnavailable)
        {
            _logger?.Debug($"{Id:x} failed to send snapshot to {to:x} because snapshot is temporarily unavailable");
            return false;
        }

        if (snapshot.Metadata is null || snapshot.Metadata.Index == 0)
        {
            throw new InvalidOperationException("need non-empty snapshot");
        }

        ulong index = snapshot.Metadata.Index;
        _logger?.Debug($"{Id:x} [firstindex: {Log.FirstIndex}, commit: {Log.Committed}] sent snapshot[index: {index}, term: {snapshot.Metadata.Term}] to {to:x} [{pr}]");
        pr.BecomeSnapshot(index);
        Send(new Message { To = to, Type = MessageType.MsgSnap, Snapshot = snapshot });
        return true;
    }

    private void SendHeartbeat(ulong to, Progress pr, Google.Protobuf.ByteString? context)
    {
        // The follower may not have everything we committed; telling it a commit index beyond what it
        // is known to have could make it commit entries it does not hold (or holds differently).
        var m = new Message
        {
            To = to,
            Type = MessageType.MsgHeartbeat,
            Commit = Math.Min(pr.Match, Log.Committed),
        };
        if (context is not null)
        {
            m.Context = context;
        }

        Send(m);
    }

    private void BroadcastAppend()
    {
        var ids = Tracker.SortedIds;
        var progress = Tracker.SortedProgress;
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] != Id)
            {
                SendAppend(ids[i], progress[i]);
            }
        }
    }

    private void BroadcastHeartbeat() => BroadcastHeartbeat(ReadOnly.LastPendingContext);

    private void BroadcastHeartbeat(Google.Protobuf.ByteString? context)
    {
        var ids = Tracker.SortedIds;
        var progress = Tracker.SortedProgress;
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] != Id)
            {
                SendHeartbeat(ids[i], progress[i], context);
            }
        }
    }

    private void HandleAppendEntries(Message m)
    {
        if (m.Index < Log.Committed)
        {
            // Everything up to our commit index is settled; tell the leader where we are.
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = Log.Committed });
            return;
        }

        if (Log.TryAppend(m.Index, m.LogTerm, m.Commit, m.Entries, out ulong lastNewIndex))
        {
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = lastNewIndex });
        }
        else
        {
            _logger?.Debug($"{Id:x} [logterm: {Log.TermOrZero(m.Index)}, index: {m.Index}] rejected MsgApp [logterm: {m.LogTerm}, index: {m.Index}] from {m.From:x}");

            // The hint (our last index) lets the leader skip back over entries we do not have at all.
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = m.Index, Reject = true, RejectHint = Log.LastIndex });
        }
    }

    private void HandleHeartbeat(Message m)
    {
        Log.CommitTo(m.Commit);
        var response = new Message { To = m.From, Type = MessageType.MsgHeartbeatResp };
        if (!m.Context.IsEmpty)
        {
            response.Context = m.Context;
        }

        Send(response);
    }

    private void HandleSnapshot(Message m)
    {
        var snapshot = m.Snapshot ?? new Snapshot();
        ulong index = snapshot.Metadata?.Index ?? 0;
        ulong term = snapshot.Metadata?.Term ?? 0;
        if (Restore(snapshot))
        {
            _logger?.Info($"{Id:x} [commit: {Log.Committed}] restored snapshot [index: {index}, term: {term}]");
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = Log.LastIndex });
        }
        else
        {
            _logger?.Info($"{Id:x} [commit: {Log.Committed}] ignored snapshot [index: {index}, term: {term}]");
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = Log.Committed });
        }
    }

    /// <summary>
    /// Installs a snapshot from the leader: replaces log and membership. Returns false if it was
    /// ignored (not newer than our commit index, or our log already has its last entry).
    /// </summary>
    private bool Restore(Snapshot snapshot)
    {
        var meta = snapshot.Metadata;
        if (meta is null || meta.Index <= Log.Committed)
        {
            return false;
        }

        if (State != RaftState.Follower)
        {
            // Defence in depth: only followers should get here. Move to a new term so a leader
            // cannot keep acting on a log it just replaced.
            _logger?.Warn($"{Id:x} attempted to restore snapshot as leader; should never happen");
            BecomeFollower(Term + 1, 0);
            return false;
        }

        // More defence in depth: much of the code assumes this node is in the configuration.
        var cs = meta.ConfState ?? new ConfState();
        // (While joint, this node may appear only in the outgoing half or among the next learners.)
        if (!cs.Voters.Contains(Id) && !cs.Learners.Contains(Id) && !cs.VotersOutgoing.Contains(Id) && !cs.LearnersNext.Contains(Id))
        {
            _logger?.Warn($"{Id:x} attempted to restore snapshot but it is not in the ConfState {cs}; should never happen");
            return false;
        }

        if (Log.MatchTerm(meta.Index, meta.Term))
        {
            // We already have the snapshot's last entry, so the log beyond it is consistent too:
            // just advance the commit index.
            _logger?.Info($"{Id:x} [commit: {Log.Committed}, lastindex: {Log.LastIndex}, lastterm: {Log.LastTerm}] fast-forwarded commit to snapshot [index: {meta.Index}, term: {meta.Term}]");
            Log.CommitTo(meta.Index);
            return false;
        }

        Log.Restore(snapshot);

        var restored = Membership.ConfStateRestorer.Restore(cs, Tracker.MaxInflight, Log.LastIndex);
        if (!restored.Succeeded)
        {
            throw new InvalidOperationException($"unable to restore config {cs}: {restored.Error}");
        }

        SwitchToConfig(restored.Config, restored.Progress);
        var self = Tracker.Get(Id)!;
        self.MaybeUpdate(self.Next - 1);
        _logger?.Info($"{Id:x} [commit: {Log.Committed}, lastindex: {Log.LastIndex}, lastterm: {Log.LastTerm}] restored snapshot [index: {meta.Index}, term: {meta.Term}]");
        return true;
    }

    /// <summary>
    /// The application has handled a Ready: entries up to <paramref name="appliedIndex"/> are applied
    /// and the given entries / snapshot are persisted.
    /// </summary>
    public void Advance(ulong appliedIndex, IReadOnlyList<Entry> committedEntries, IReadOnlyList<Entry> persistedEntries, ulong persistedSnapshotIndex)
    {
        if (appliedIndex > 0)
        {
            Log.AppliedTo(appliedIndex);
            if (Tracker.Config.AutoLeave && appliedIndex >= PendingConfIndex && State == RaftState.Leader)
            {
                // The joint configuration is applied; leave it by proposing the empty change. If that
                // is refused (say, a transfer is in progress) a later Advance tries again.
                _singleProposal[0] = new Entry { Type = EntryType.EntryConfChangeV2, Data = Google.Protobuf.ByteString.Empty };
                if (ProposeAsLeader(_singleProposal) == RaftError.None)
                {
                    _logger?.Info($"initiating automatic transition out of joint configuration {Tracker.Config}");
                }
            }
        }

        ReduceUncommittedSize(committedEntries);
        if (persistedEntries.Count > 0)
        {
            var last = persistedEntries[^1];
            Log.StableTo(last.Index, last.Term);
        }

        if (persistedSnapshotIndex > 0)
        {
            Log.StableSnapshotTo(persistedSnapshotIndex);
        }
    }
}
