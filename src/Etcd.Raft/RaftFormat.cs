using System.Text;
using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft;

/// <summary>
/// One-line text forms of Raft values, for logs and for the scripted interaction tests (whose
/// expected output depends on these exact forms).
/// </summary>
public static class RaftFormat
{
    /// <summary>"term/index Type payload", e.g. <c>1/3 EntryNormal "foo"</c>.</summary>
    public static string Entry(Entry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string payload = e.Type switch
        {
            EntryType.EntryNormal => Quote(e.Data),
            EntryType.EntryConfChange => TryParse(() => ConfChanges(ConfChange.Parser.ParseFrom(e.Data).AsV2().Changes)),
            EntryType.EntryConfChangeV2 => TryParse(() => ConfChanges(ConfChangeV2.Parser.ParseFrom(e.Data).Changes)),
            _ => string.Empty,
        };
        return payload.Length == 0 ? $"{e.Term}/{e.Index} {e.Type}" : $"{e.Term}/{e.Index} {e.Type} {payload}";
    }

    public static string Message(Message m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var text = new StringBuilder();
        text.Append($"{m.From:x}->{m.To:x} {m.Type} Term:{m.Term} Log:{m.LogTerm}/{m.Index}");
        if (m.Reject)
        {
            text.Append($" Rejected (Hint: {m.RejectHint})");
        }

        if (m.Commit != 0)
        {
            text.Append($" Commit:{m.Commit}");
        }

        if (m.Entries.Count > 0)
        {
            text.Append(" Entries:[");
            for (int i = 0; i < m.Entries.Count; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ").Append(Entry(m.Entries[i]));
            }

            text.Append(']');
        }

        if (m.Snapshot is { Metadata.Index: > 0 })
        {
            text.Append(" Snapshot: ").Append(Snapshot(m.Snapshot));
        }

        return text.ToString();
    }

    public static string HardState(HardState hs)
    {
        ArgumentNullException.ThrowIfNull(hs);
        return hs.Vote != 0 ? $"Term:{hs.Term} Vote:{hs.Vote} Commit:{hs.Commit}" : $"Term:{hs.Term} Commit:{hs.Commit}";
    }

    public static string SoftState(SoftState ss) => $"Lead:{ss.Lead} State:State{ss.RaftState}";

    public static string ConfState(ConfState cs)
    {
        ArgumentNullException.ThrowIfNull(cs);
        return $"Voters:{Ids(cs.Voters)} VotersOutgoing:{Ids(cs.VotersOutgoing)} Learners:{Ids(cs.Learners)} LearnersNext:{Ids(cs.LearnersNext)} AutoLeave:{cs.AutoLeave.ToString().ToLowerInvariant()}";
    }

    public static string Snapshot(Snapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var meta = s.Metadata ?? new SnapshotMetadata();
        return $"Index:{meta.Index} Term:{meta.Term} ConfState:{ConfState(meta.ConfState ?? new ConfState())}";
    }

    /// <summary>Changes in the compact script form: v1 (voter), l2 (learner), r3 (remove), u4 (update).</summary>
    public static string ConfChanges(IEnumerable<ConfChangeSingle> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return string.Join(' ', changes.Select(c => c.Type switch
        {
            ConfChangeType.ConfChangeAddNode => "v",
            ConfChangeType.ConfChangeAddLearnerNode => "l",
            ConfChangeType.ConfChangeRemoveNode => "r",
            ConfChangeType.ConfChangeUpdateNode => "u",
            _ => "unknown",
        } + c.NodeId));
    }

    /// <summary>Parses the form produced by <see cref="ConfChanges"/>.</summary>
    public static List<ConfChangeSingle> ParseConfChanges(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var changes = new List<ConfChangeSingle>();
        foreach (string token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var type = token[0] switch
            {
                'v' => ConfChangeType.ConfChangeAddNode,
                'l' => ConfChangeType.ConfChangeAddLearnerNode,
                'r' => ConfChangeType.ConfChangeRemoveNode,
                'u' => ConfChangeType.ConfChangeUpdateNode,
                _ => throw new FormatException($"unknown input: {token}"),
            };
            changes.Add(new ConfChangeSingle { Type = type, NodeId = ulong.Parse(token.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) });
        }

        return changes;
    }

    public static string Ready(Ready rd)
    {
        ArgumentNullException.ThrowIfNull(rd);
        var text = new StringBuilder();
        if (rd.SoftState is { } soft)
        {
            text.Append(SoftState(soft)).Append('\n');
        }

        if (rd.HasHardState)
        {
            text.Append("HardState ").Append(HardState(rd.HardState)).Append('\n');
        }

        if (rd.ReadStates.Count > 0)
        {
            text.Append("ReadStates ").Append(string.Join(", ", rd.ReadStates.Select(r => $"{r.Index}:{Quote(r.RequestContext)}"))).Append('\n');
        }

        if (rd.Entries.Count > 0)
        {
            text.Append("Entries:\n");
            foreach (var e in rd.Entries)
            {
                text.Append(Entry(e)).Append('\n');
            }
        }

        if (rd.Snapshot is { Metadata.Index: > 0 })
        {
            text.Append("Snapshot ").Append(Snapshot(rd.Snapshot)).Append('\n');
        }

        if (rd.CommittedEntries.Count > 0)
        {
            text.Append("CommittedEntries:\n");
            foreach (var e in rd.CommittedEntries)
            {
                text.Append(Entry(e)).Append('\n');
            }
        }

        if (rd.Messages.Count > 0)
        {
            text.Append("Messages:\n");
            foreach (var m in rd.Messages)
            {
                text.Append(Message(m)).Append('\n');
            }
        }

        return text.Length == 0 ? "<empty Ready>" : $"Ready MustSync={rd.MustSync.ToString().ToLowerInvariant()}:\n{text}";
    }

    private static string Ids(IEnumerable<ulong> ids) => "[" + string.Join(' ', ids) + "]";

    private static string Quote(ByteString data) => "\"" + data.ToStringUtf8().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string TryParse(Func<string> format)
    {
        try
        {
            return format();
        }
        catch (InvalidProtocolBufferException e)
        {
            return e.Message;
        }
    }
}
