using Etcd.Raft.Raftpb;
using Etcd.Raft.Tracking;

namespace Etcd.Raft;

/// <summary>
/// Batching of appends within one Ready. A leader sends an append per proposal (and a commit-only
/// append per commit advance). When the message queued last for a follower is an append that the
/// new one continues exactly (same term; it starts where the queued one ends), receiving the two
/// in order is the same as receiving one append with all the entries and the later commit index.
/// So the queued message is extended instead: one message, one acknowledgement, one commit round
/// per Ready rather than per proposal. The byte budget per message still applies.
/// </summary>
internal sealed partial class Raft
{
    // For each destination with messages queued in this Ready: the position of its latest message
    // and, for an append, the encoded size of its entries. Clusters are small: a linear scan is fine.
    private (ulong To, int Position, ulong Size)[] _queued = new (ulong, int, ulong)[8];
    private int _queuedCount;

    private void RememberQueued(ulong to, int position, ulong size)
    {
        for (int i = 0; i < _queuedCount; i++)
        {
            if (_queued[i].To == to)
            {
                _queued[i] = (to, position, size);
                return;
            }
        }

        if (_queuedCount == _queued.Length)
        {
            Array.Resize(ref _queued, _queued.Length * 2);
        }

        _queued[_queuedCount++] = (to, position, size);
    }

    private bool TryExtendQueuedAppend(ulong to, Progress pr, ulong prevTerm, IReadOnlyList<Entry> entries)
    {
        int slot = -1;
        for (int i = 0; i < _queuedCount; i++)
        {
            if (_queued[i].To == to)
            {
                slot = i;
                break;
            }
        }

        if (slot < 0)
        {
            return false;
        }

        var queued = _messages![_queued[slot].Position];
        if (queued.Type != MessageType.MsgApp || queued.Term != Term)
        {
            return false;
        }

        var queuedEntries = queued.Entries;
        ulong lastIndex = queuedEntries.Count > 0 ? queuedEntries[^1].Index : queued.Index;
        ulong lastTerm = queuedEntries.Count > 0 ? queuedEntries[^1].Term : queued.LogTerm;
        if (pr.Next - 1 != lastIndex || prevTerm != lastTerm)
        {
            return false;
        }

        ulong added = EntriesSize(entries);
        if (entries.Count > 0 && queuedEntries.Count > 0 && _queued[slot].Size + added > _maxMsgSize)
        {
            return false;
        }

        queued.Commit = Log.Committed;
        if (entries.Count == 0)
        {
            return true;
        }

        bool queuedHadEntries = queuedEntries.Count > 0;
        queuedEntries.AddRange(entries);
        _queued[slot].Size += added;
        ulong last = entries[^1].Index;
        switch (pr.State)
        {
            case ProgressState.Replicate:
                pr.OptimisticUpdate(last);

                // The window counts messages: a merged append still occupies the slot of the
                // message it extends.
                if (queuedHadEntries && pr.Inflights.Count > 0)
                {
                    pr.Inflights.ExtendLast(last);
                }
                else
                {
                    pr.Inflights.Add(last);
                }

                break;
            case ProgressState.Probe:
                pr.ProbeSent = true;
                break;
            default:
                throw new InvalidOperationException($"{Id:x} is sending append in unhandled state {pr.State}");
        }

        return true;
    }

    private static ulong EntriesSize(IReadOnlyList<Entry> entries)
    {
        ulong size = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            size += (ulong)entries[i].CalculateSize();
        }

        return size;
    }
}
