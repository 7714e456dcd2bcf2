using System.Globalization;
using System.Text;
using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft.Tests.Interaction;

/// <summary>
/// Executes script commands against a handful of nodes with in-memory storage and a shared
/// mailbox. Nothing happens unless a command says so: messages wait in the mailbox until
/// delivered, Readies wait until processed, so each step of the protocol is visible.
/// </summary>
internal sealed class InteractionEnvironment
{
    private readonly StringBuilder _output = new();
    private readonly SortedDictionary<ulong, ScriptNode> _nodes = [];
    private readonly List<Message> _mailbox = [];
    private int _level = LevelInfo;
    private string _indent = string.Empty;

    private const int LevelDebug = 0;
    private const int LevelInfo = 1;
    private const int LevelWarn = 2;
    private const int LevelNone = 3;

    public string Run(string line)
    {
        _output.Clear();
        _indent = string.Empty;
        var (command, args, options) = Tokenize(line);
        switch (command)
        {
            case "log-level":
                _level = args[0] switch { "debug" => LevelDebug, "info" => LevelInfo, "warn" => LevelWarn, _ => LevelNone };
                break;
            case "add-nodes":
                AddNodes(int.Parse(args[0], CultureInfo.InvariantCulture), options);
                break;
            case "campaign":
                Node(args[0]).Raw.Campaign();
                break;
            case "propose":
                Report(Node(args[0]).Raw.Propose(ByteString.CopyFromUtf8(args[1])));
                break;
            case "propose-conf-change":
                ProposeConfChange(Node(args[0]), args.Skip(1), options);
                break;
            case "read-index":
                Node(args[0]).Raw.ReadIndex(ByteString.CopyFromUtf8(args[1]));
                break;
            case "transfer-leader":
                Node(args[0]).Raw.TransferLeader(Id(args[1]));
                break;
            case "tick-heartbeat":
                Node(args[0]).Raw.Tick();
                break;
            case "tick-election":
                var node = Node(args[0]);
                for (int i = 0; i < 2 * node.ElectionTick; i++)
                {
                    node.Raw.Tick();
                }

                break;
            case "process-ready":
                foreach (string id in args)
                {
                    ProcessReady(Node(id));
                }

                break;
            case "deliver-msgs":
                foreach (string id in args)
                {
                    Deliver(Id(id), drop: options.ContainsKey("drop"));
                }

                break;
            case "stabilize":
                Stabilize();
                break;
            case "status":
                Status(Node(args[0]));
                break;
            case "raft-state":
                foreach (var n in _nodes.Values)
                {
                    var s = n.Raw.Status();
                    string role = s.Config.Voters.All.Contains(n.Id) ? "Voter" : s.Config.Learners.Contains(n.Id) ? "Learner" : "None";
                    Write($"{n.Id}: State{s.SoftState.RaftState} ({role}) Term:{s.HardState.Term} Lead:{s.SoftState.Lead}");
                }

                break;
            case "raft-log":
                RaftLog(Node(args[0]));
                break;
            case "compact":
                Compact(Node(args[0]), ulong.Parse(args[1], CultureInfo.InvariantCulture));
                break;
            default:
                throw new FormatException($"unknown command '{command}'");
        }

        return _output.Length == 0 ? "ok\n" : _output.ToString();
    }

    private void AddNodes(int count, Dictionary<string, string> options)
    {
        ulong index = options.TryGetValue("index", out string? i) ? ulong.Parse(i, CultureInfo.InvariantCulture) : 0;
        for (int n = 0; n < count; n++)
        {
            ulong id = (ulong)_nodes.Count + 1;
            var storage = new MemoryStorage();
            if (index > 0)
            {
                // Start from a snapshot carrying the membership, as a restored member would.
                var cs = new ConfState();
                cs.Voters.AddRange(Ids(options.GetValueOrDefault("voters", "()")));
                cs.Learners.AddRange(Ids(options.GetValueOrDefault("learners", "()")));
                storage.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = index, Term = 1, ConfState = cs } });
            }

            var node = new ScriptNode(id, storage);
            node.Raw = new RawNode(new RaftConfig
            {
                Id = id,
                Storage = new FreshSnapshotStorage(node),
                ElectionTick = 10,
                HeartbeatTick = 1,
                MaxSizePerMsg = ulong.MaxValue,
                MaxInflightMsgs = int.Parse(options.GetValueOrDefault("inflight", "256"), CultureInfo.InvariantCulture),
                PreVote = options.GetValueOrDefault("prevote") == "true",
                CheckQuorum = options.GetValueOrDefault("checkquorum") == "true",
                ReadOnlyOption = options.GetValueOrDefault("read") == "lease" ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
                Random = new Random((int)id),
                Logger = new ScriptLogger(this),
            });
            _nodes[id] = node;
        }
    }

    private void ProposeConfChange(ScriptNode node, IEnumerable<string> changes, Dictionary<string, string> options)
    {
        var parsed = RaftFormat.ParseConfChanges(string.Join(' ', changes));
        if (options.ContainsKey("v1"))
        {
            Report(node.Raw.ProposeConfChange(new ConfChange { Type = parsed[0].Type, NodeId = parsed[0].NodeId }));
            return;
        }

        var cc = new ConfChangeV2
        {
            Transition = options.GetValueOrDefault("transition") switch
            {
                "implicit" => ConfChangeTransition.JointImplicit,
                "explicit" => ConfChangeTransition.JointExplicit,
                _ => ConfChangeTransition.Auto,
            },
        };
        cc.Changes.AddRange(parsed);
        Report(node.Raw.ProposeConfChange(cc));
    }

    private bool ProcessReady(ScriptNode node)
    {
        if (!node.Raw.HasReady())
        {
            return false;
        }

        Write($"> {node.Id} handling Ready");
        _indent = "  ";
        var rd = node.Raw.GetReady();
        foreach (string line in RaftFormat.Ready(rd).TrimEnd('\n').Split('\n'))
        {
            Write(line);
        }

        // The contract's order: persist, send, apply, advance.
        if (rd.Snapshot is { Metadata.Index: > 0 } snapshot)
        {
            node.Storage.ApplySnapshot(snapshot);
            node.ConfState = snapshot.Metadata.ConfState;
        }

        node.Storage.Append(rd.Entries);
        if (rd.HasHardState)
        {
            node.Storage.SetHardState(rd.HardState);
        }

        _mailbox.AddRange(rd.Messages);
        if (rd.Snapshot is { Metadata.Index: > 0 } installed)
        {
            node.Applied = installed.Metadata.Index;
        }

        foreach (var entry in rd.CommittedEntries)
        {
            node.Applied = entry.Index;
            node.ConfState = entry.Type switch
            {
                EntryType.EntryConfChange => node.Raw.ApplyConfChange(ConfChange.Parser.ParseFrom(entry.Data)),
                EntryType.EntryConfChangeV2 => node.Raw.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(entry.Data)),
                _ => node.ConfState,
            };
        }

        node.Raw.Advance(rd);
        _indent = string.Empty;
        return true;
    }

    private bool Deliver(ulong to, bool drop)
    {
        var messages = _mailbox.Where(m => m.To == to).ToList();
        if (messages.Count == 0)
        {
            return false;
        }

        _mailbox.RemoveAll(m => m.To == to);
        Write(drop ? $"> {to} dropping messages" : $"> {to} receiving messages");
        _indent = "  ";
        foreach (var m in messages)
        {
            Write(RaftFormat.Message(m));
            if (!drop && _nodes.TryGetValue(to, out var node))
            {
                _indent = "    ";
                var error = node.Raw.Step(m.Clone());
                if (error != RaftError.None)
                {
                    Write($"{error}");
                }

                _indent = "  ";
            }
        }

        _indent = string.Empty;
        return true;
    }

    private void Stabilize()
    {
        // Bounded: a script that does not settle is a bug in the script or in Raft.
        for (int round = 0; round < 100; round++)
        {
            bool progress = false;
            foreach (var node in _nodes.Values)
            {
                progress |= ProcessReady(node);
            }

            foreach (ulong id in _nodes.Keys)
            {
                progress |= Deliver(id, drop: false);
            }

            if (!progress)
            {
                return;
            }
        }

        throw new InvalidOperationException("stabilize did not settle within 100 rounds");
    }

    private void Status(ScriptNode node)
    {
        var status = node.Raw.Status();
        foreach (var (id, pr) in status.Progress.OrderBy(p => p.Key))
        {
            string extra = (pr.IsLearner ? " learner" : string.Empty) + (pr.IsPaused ? " paused" : string.Empty)
                + (pr.PendingSnapshot > 0 ? $" pendingSnap={pr.PendingSnapshot}" : string.Empty)
                + (pr.Inflight > 0 ? $" inflight={pr.Inflight}" : string.Empty);
            Write($"{id}: State{pr.State} match={pr.Match} next={pr.Next}{extra}");
        }
    }

    private void RaftLog(ScriptNode node)
    {
        ulong first = node.Storage.FirstIndex();
        ulong last = node.Storage.LastIndex();
        if (last < first)
        {
            Write($"log is empty: first index={first}, last index={last}");
            return;
        }

        foreach (var entry in node.Storage.Entries(first, last + 1, ulong.MaxValue))
        {
            Write(RaftFormat.Entry(entry));
        }
    }

    private void Compact(ScriptNode node, ulong index)
    {
        node.Storage.CreateSnapshot(index, node.ConfState, ByteString.Empty);
        node.Storage.Compact(index);
        RaftLog(node);
    }

    private void Report(RaftError error)
    {
        if (error != RaftError.None)
        {
            Write($"raft: {error}");
        }
    }

    private void Write(string line) => _output.Append(_indent).Append(line).Append('\n');

    private ScriptNode Node(string id) => _nodes[Id(id)];

    private static ulong Id(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);

    private static IEnumerable<ulong> Ids(string list) =>
        list.Trim('(', ')').Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Id);

    /// <summary>Splits "cmd a b key=value key=(1 2 3)" into command, positional args and options.</summary>
    private static (string Command, List<string> Args, Dictionary<string, string> Options) Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        foreach (char c in line)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ' ' && depth == 0)
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        var args = new List<string>();
        var options = new Dictionary<string, string>();
        foreach (string token in tokens.Skip(1))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                options[token[..eq]] = token[(eq + 1)..];
            }
            else if (token is "v1" or "drop")
            {
                options[token] = "true";
            }
            else
            {
                args.Add(token);
            }
        }

        return (tokens[0], args, options);
    }

    private sealed class ScriptNode(ulong id, MemoryStorage storage)
    {
        public ulong Id { get; } = id;

        public MemoryStorage Storage { get; } = storage;

        public RawNode Raw { get; set; } = null!;

        public ulong Applied { get; set; } = storage.Snapshot().Metadata.Index;

        public int ElectionTick => 10;

        public ConfState ConfState { get; set; } = storage.InitialState().ConfState;
    }

    private sealed class ScriptLogger(InteractionEnvironment env) : IRaftLogger
    {
        public void Debug(string message) => Log(LevelDebug, "DEBUG", message);

        public void Info(string message) => Log(LevelInfo, "INFO", message);

        public void Warn(string message) => Log(LevelWarn, "WARN", message);

        private void Log(int level, string name, string message)
        {
            if (level >= env._level)
            {
                env.Write($"{name} {message}");
            }
        }
    }

    /// <summary>
    /// Serves the node's state as applied right now when Raft asks for a snapshot to send, as etcd's
    /// server does: the stored snapshot may predate the recipient's addition to the cluster.
    /// </summary>
    private sealed class FreshSnapshotStorage(ScriptNode node) : IRaftStorage
    {
        public (HardState HardState, ConfState ConfState) InitialState() => node.Storage.InitialState();

        public IReadOnlyList<Entry> Entries(ulong lo, ulong hi, ulong maxSize) => node.Storage.Entries(lo, hi, maxSize);

        public ulong Term(ulong index) => node.Storage.Term(index);

        public ulong FirstIndex() => node.Storage.FirstIndex();

        public ulong LastIndex() => node.Storage.LastIndex();

        public Snapshot Snapshot() => new()
        {
            Data = ByteString.Empty,
            Metadata = new SnapshotMetadata { Index = node.Applied, Term = node.Storage.Term(node.Applied), ConfState = node.ConfState },
        };
    }
}
