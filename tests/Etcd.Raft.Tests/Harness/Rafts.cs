using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tests.Harness;

/// <summary>Factories for bare <see cref="Raft"/> instances in unit tests.</summary>
internal static class Rafts
{
    public static Raft New(ulong id, ulong[] voters, int election = 10, int heartbeat = 1, Action<RaftOptions>? options = null)
        => New(id, PresetStorage.WithVoters(voters), election, heartbeat, options);

    public static Raft New(ulong id, IRaftStorage storage, int election = 10, int heartbeat = 1, Action<RaftOptions>? options = null)
    {
        var o = new RaftOptions();
        options?.Invoke(o);
        return new Raft(new RaftConfig
        {
            Id = id,
            ElectionTick = election,
            HeartbeatTick = heartbeat,
            Storage = storage,
            MaxSizePerMsg = o.MaxSizePerMsg,
            MaxInflightMsgs = o.MaxInflight,
            MaxUncommittedEntriesSize = o.MaxUncommittedSize,
            CheckQuorum = o.CheckQuorum,
            PreVote = o.PreVote,
            ReadOnlyOption = o.ReadOnlyOption,
            DisableProposalForwarding = o.DisableProposalForwarding,
            Applied = o.Applied,
            Random = new Random(o.Seed ?? (int)id),
        });
    }

    /// <summary>A raft whose storage already holds entries with the given terms at indexes 1, 2, ...</summary>
    public static Raft WithLog(ulong id, ulong[] voters, ulong[] terms, ulong term, int election = 10, Action<RaftOptions>? options = null)
    {
        var storage = PresetStorage.WithVoters(voters);
        var entries = new List<Entry>();
        for (int i = 0; i < terms.Length; i++)
        {
            entries.Add(new Entry { Index = (ulong)i + 1, Term = terms[i] });
        }

        storage.Inner.Append(entries);
        storage.Inner.SetHardState(new HardState { Term = term });
        return New(id, storage, election, 1, options);
    }

    public static List<Message> Read(this Raft r) => [.. r.TakeMessages()];

    public static Message Msg(ulong from, ulong to, MessageType type, ulong term = 0, ulong index = 0, ulong logTerm = 0, ulong commit = 0, bool reject = false, params Entry[] entries)
    {
        var m = new Message { From = from, To = to, Type = type, Term = term, Index = index, LogTerm = logTerm, Commit = commit, Reject = reject };
        m.Entries.AddRange(entries);
        return m;
    }

    public static Entry Ent(ulong term, ulong index, string data = "") =>
        new() { Term = term, Index = index, Data = Google.Protobuf.ByteString.CopyFromUtf8(data) };

    public static Message Prop(ulong from, string data = "somedata") =>
        Msg(from, from, MessageType.MsgProp, entries: new Entry { Data = Google.Protobuf.ByteString.CopyFromUtf8(data) });

    /// <summary>Ticks until the election timeout has certainly passed.</summary>
    public static void TickUntilElection(this Raft r)
    {
        for (int i = 0; i < 2 * r.ElectionTimeout; i++)
        {
            r.Tick();
        }
    }

    /// <summary>Persists unstable entries and marks everything committed as applied, like a Ready cycle.</summary>
    public static void PersistAndApply(this Raft r, PresetStorage storage)
    {
        var unstable = r.Log.Unstable.Entries;
        storage.Inner.Append(unstable);
        if (unstable.Count > 0)
        {
            r.Log.StableTo(unstable[^1].Index, unstable[^1].Term);
        }

        r.Log.AppliedTo(r.Log.Committed);
    }

    /// <summary>The log as "term/index" pairs, for compact assertions.</summary>
    public static string LogTerms(this Raft r)
    {
        r.Log.TrySlice(r.Log.FirstIndex, r.Log.LastIndex + 1, ulong.MaxValue, out var all);
        return string.Join(' ', all.Select(e => $"{e.Term}/{e.Index}"));
    }
}

internal sealed class RaftOptions
{
    public ulong MaxSizePerMsg { get; set; } = ulong.MaxValue;

    public int MaxInflight { get; set; } = 256;

    public ulong MaxUncommittedSize { get; set; }

    public bool CheckQuorum { get; set; }

    public bool PreVote { get; set; }

    public ReadOnlyOption ReadOnlyOption { get; set; }

    public bool DisableProposalForwarding { get; set; }

    public ulong Applied { get; set; }

    public int? Seed { get; set; }
}
