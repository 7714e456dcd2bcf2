using System.Runtime.CompilerServices;
using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// One deterministic run: a cluster driven by a single seeded <see cref="System.Random"/> through a
/// fault phase (lossy, duplicating, reordering network; partitions; crashes and restarts;
/// membership changes; leader transfers; proposals and reads; compaction), checking the safety
/// invariants after every step, then a liveness phase: faults heal and a proposal must be applied by
/// every member within a bounded number of ticks.
/// </summary>
internal sealed class Simulator
{
    private const int MaxNodes = 9;

    // How much of the end of a run a failure report shows (RAFT_TRACE_LINES overrides).
    private static readonly int TraceLines = int.TryParse(Environment.GetEnvironmentVariable("RAFT_TRACE_LINES"), out int lines) ? lines : 400;

    private readonly SortedDictionary<ulong, SimNode> _nodes = [];
    private readonly Dictionary<ByteString, ulong> _readsIssued = [];

    // Nodes that appeared in some applied configuration: once absent again, they were removed.
    private readonly HashSet<ulong> _everMembers = [];

    // The configuration applied at the highest index anywhere: the one the cluster is heading to.
    private ConfState _latestConf = new();
    private ulong _latestConfIndex;
    private readonly Queue<string>? _trace;
    private ulong _nextId;
    private int _proposalCounter;
    private long _healAt;

    public Simulator(int seed, bool trace)
    {
        Random = new Random(seed);
        Options = SimulationOptions.FromSeed(seed, Random);
        Network = new SimNetwork(this)
        {
            DropRate = Options.DropRate,
            DuplicateRate = Options.DuplicateRate,
            MaxDelay = Options.MaxDelay,
        };
        _trace = trace ? new Queue<string>() : null;
    }

    public Random Random { get; }

    public SimulationOptions Options { get; }

    public SimNetwork Network { get; }

    public InvariantChecker Checker { get; } = new();

    public SimulationStats Stats { get; } = new();

    public long Now { get; private set; }

    public bool Tracing => _trace is not null;

    /// <summary>The last events of the run (only when tracing), for failure reports.</summary>
    public IEnumerable<string> RecentTrace => _trace ?? Enumerable.Empty<string>();

    public SimNode? Node(ulong id) => _nodes.GetValueOrDefault(id);

    public void Trace([InterpolatedStringHandlerArgument("")] ref TraceLine line)
    {
        if (_trace is not null)
        {
            Trace(line.ToStringAndClear());
        }
    }

    public void Trace(string line)
    {
        if (_trace is null)
        {
            return;
        }

        _trace.Enqueue($"[{Now / SimulationOptions.UnitsPerTick}.{Now % SimulationOptions.UnitsPerTick}] {line}");
        if (_trace.Count > TraceLines)
        {
            _trace.Dequeue();
        }
    }

    public IRaftLogger? RaftLogger(ulong id) => _trace is null ? null : new TraceLogger(this, id);

    public void Run()
    {
        var peers = new List<Peer>();
        for (int i = 0; i < Options.ClusterSize; i++)
        {
            peers.Add(new Peer(++_nextId));
        }

        foreach (var peer in peers)
        {
            var node = new SimNode(this, peer.Id) { BootstrapPeers = peers };
            _nodes[peer.Id] = node;
            node.Start();
        }

        long faultEnd = (long)Options.FaultTicks * SimulationOptions.UnitsPerTick;
        while (Now < faultEnd)
        {
            Step(faults: true);
        }

        Heal();
        CheckLiveness();
    }

    public void OnReadState(SimNode node, ReadState read)
    {
        Trace($"{node.Id} read state {read.Index} for {read.RequestContext.ToStringUtf8()}");

        Stats.ReadsChecked++;

        // Linearizable reads: the read index covers everything committed before the request was made.
        if (Options.ReadOnlyOption == ReadOnlyOption.Safe && _readsIssued.TryGetValue(read.RequestContext, out ulong committedAtIssue) && read.Index < committedAtIssue)
        {
            throw new SimulationFailure($"linearizability: node {node.Id} got read index {read.Index} for {read.RequestContext.ToStringUtf8()}, but {committedAtIssue} was committed before the request");
        }
    }

    public void OnConfChangeApplied(SimNode node, ConfState cs)
    {
        Stats.ConfChangesApplied++;
        _everMembers.UnionWith(cs.Voters);
        _everMembers.UnionWith(cs.Learners);
        if (node.Applied >= _latestConfIndex)
        {
            (_latestConf, _latestConfIndex) = (cs, node.Applied);
        }

        Trace($"{node.Id} applied conf change -> {RaftFormat.ConfState(cs)}");
    }

    private void Step(bool faults)
    {
        Now++;
        if (Now % SimulationOptions.UnitsPerTick == 0)
        {
            foreach (var node in _nodes.Values)
            {
                node.Node?.Tick();
            }
        }

        Network.DeliverDue(Now);
        if (faults)
        {
            InjectFaults();
        }

        Act(faults);
        foreach (var node in _nodes.Values)
        {
            bool crashMidReady = faults && Random.NextDouble() < Options.CrashRate / 4;
            node.ProcessReadies(crashMidReady);
            if (crashMidReady)
            {
                Stats.Crashes++;
                node.RestartAt = Now + Random.Next(1, 30 * SimulationOptions.UnitsPerTick);
            }
        }

        foreach (var node in _nodes.Values)
        {
            node.Observe(Checker);
        }
    }

    private void InjectFaults()
    {
        foreach (var node in _nodes.Values)
        {
            if (node.IsUp && Random.NextDouble() < Options.CrashRate)
            {
                Trace($"{node.Id} crashes");
                Stats.Crashes++;
                node.Crash();
                node.RestartAt = Now + Random.Next(1, 30 * SimulationOptions.UnitsPerTick);
            }
            else if (!node.IsUp && !node.Retired && Now >= node.RestartAt)
            {
                Trace($"{node.Id} restarts");
                node.Start();
            }
        }

        if (Network.Partitioned && Now >= _healAt)
        {
            Trace("partition heals");
            Network.Heal();
        }
        else if (!Network.Partitioned && Random.NextDouble() < Options.PartitionRate)
        {
            Network.Partition(_nodes.Keys);
            _healAt = Now + Random.Next(5, 60) * SimulationOptions.UnitsPerTick;
            Trace("network partitioned");
        }
    }

    private void Act(bool faults)
    {
        var up = _nodes.Values.Where(n => n.IsUp).ToList();
        if (up.Count == 0)
        {
            return;
        }

        if (Random.NextDouble() < Options.ProposeRate)
        {
            var node = up[Random.Next(up.Count)];
            string value = $"v{++_proposalCounter}";
            var error = node.Node!.Propose(ByteString.CopyFromUtf8(value));
            Trace($"propose {value} on {node.Id}: {error}");
        }

        if (Random.NextDouble() < Options.ReadIndexRate)
        {
            var node = up[Random.Next(up.Count)];
            var context = ByteString.CopyFromUtf8($"r{++_proposalCounter}");
            _readsIssued[context] = Checker.MaxCommitted;
            node.Node!.ReadIndex(context);
            Trace($"read index {context.ToStringUtf8()} on {node.Id}");
        }

        if (!faults)
        {
            return;
        }

        var leader = Leader();
        if (leader is null)
        {
            return;
        }

        if (Random.NextDouble() < Options.TransferRate)
        {
            var voters = leader.Status.Config.Voters.Incoming.ToArray();
            ulong target = voters[Random.Next(voters.Length)];
            Trace($"transfer leadership {leader.Id} -> {target}");
            leader.Node!.TransferLeader(target);
        }

        if (Random.NextDouble() < Options.ConfChangeRate)
        {
            ProposeConfChange(leader);
        }
    }

    /// <summary>Proposes a random membership change that is valid for the leader's configuration.</summary>
    private void ProposeConfChange(SimNode leader)
    {
        var config = leader.Status.Config;
        var cc = new ConfChangeV2();
        if (config.Voters.IsJoint)
        {
            if (config.AutoLeave)
            {
                return;
            }

            // An explicit joint configuration is left by proposing the empty change.
            Trace($"propose leave joint on {leader.Id}");
            leader.Node!.ProposeConfChange(cc);
            return;
        }

        var voters = config.Voters.Incoming.ToArray();
        var learners = config.Learners.ToArray();
        int members = voters.Length + learners.Length;

        // Like a careful server, never remove or demote the sitting leader (transfer first). The
        // library hands leadership off by itself when that happens, but if the old leader crashes
        // within the hand-off, the remaining voters may still need its vote under the old
        // configuration while its log is ahead of theirs: a known limit of configurations that
        // take effect when applied (etcd's too).
        var others = voters.Where(v => v != leader.Id).ToArray();
        switch (Random.Next(7))
        {
            case 0 when members < MaxNodes:
                cc.Changes.Add(Change(ConfChangeType.ConfChangeAddLearnerNode, NewNode()));
                break;
            case 1 when members < MaxNodes:
                cc.Changes.Add(Change(ConfChangeType.ConfChangeAddNode, NewNode()));
                break;
            case 2 when learners.Length > 0:
                cc.Changes.Add(Change(ConfChangeType.ConfChangeAddNode, learners[Random.Next(learners.Length)]));
                break;
            case 3 when others.Length > 0:
                cc.Changes.Add(Change(ConfChangeType.ConfChangeRemoveNode, others[Random.Next(others.Length)]));
                break;
            case 4 when others.Length > 0:
                cc.Changes.Add(Change(ConfChangeType.ConfChangeAddLearnerNode, others[Random.Next(others.Length)]));
                break;
            case 5 when learners.Length > 0:
                cc.Changes.Add(Change(ConfChangeType.ConfChangeRemoveNode, learners[Random.Next(learners.Length)]));
                break;
            case 6 when members < MaxNodes && others.Length > 0:
                // Replace a voter: needs joint consensus.
                cc.Changes.Add(Change(ConfChangeType.ConfChangeAddNode, NewNode()));
                cc.Changes.Add(Change(ConfChangeType.ConfChangeRemoveNode, others[Random.Next(others.Length)]));
                cc.Transition = (ConfChangeTransition)Random.Next(3);
                break;
            default:
                return;
        }

        Trace($"propose conf change {RaftFormat.ConfChanges(cc.Changes)} ({cc.Transition}) on {leader.Id}");
        if (cc.Changes.Count == 1 && cc.Transition == ConfChangeTransition.Auto && Random.Next(2) == 0)
        {
            leader.Node!.ProposeConfChange(new ConfChange { Type = cc.Changes[0].Type, NodeId = cc.Changes[0].NodeId });
        }
        else
        {
            leader.Node!.ProposeConfChange(cc);
        }
    }

    private static ConfChangeSingle Change(ConfChangeType type, ulong id) => new() { Type = type, NodeId = id };

    /// <summary>Starts a fresh, empty node that waits to hear from the leader (how members join).</summary>
    private ulong NewNode()
    {
        var node = new SimNode(this, ++_nextId);
        _nodes[node.Id] = node;
        node.Start();
        return node.Id;
    }

    private SimNode? Leader()
    {
        SimNode? leader = null;
        foreach (var node in _nodes.Values)
        {
            if (node.Node is { } n && n.Raft.State == RaftState.Leader && (leader is null || n.Raft.Term > leader.Raft.Term))
            {
                leader = node;
            }
        }

        return leader;
    }

    /// <summary>Ends all faults: the network becomes reliable, crashed members restart, removed ones stop.</summary>
    private void Heal()
    {
        Trace("healing");
        Network.Heal();
        Network.DropRate = 0;
        Network.DuplicateRate = 0;
        Network.MaxDelay = Math.Min(Network.MaxDelay, SimulationOptions.UnitsPerTick);

        foreach (var node in _nodes.Values)
        {
            if (!node.IsUp && !node.Retired)
            {
                node.Start();
            }
        }

        RetireRemovedNodes();
    }

    /// <summary>
    /// Shuts down members removed by the configuration furthest along in the log, as etcd does, once
    /// every remaining member has applied that configuration: until then a remaining member may
    /// still need the removed node (say, its vote in a joint configuration it has not yet left).
    /// A removed node that missed its removal would otherwise keep campaigning. Nodes that were
    /// never members (their addition may still be in flight) keep running.
    /// </summary>
    private void RetireRemovedNodes()
    {
        var latest = _latestConf;
        foreach (var node in _nodes.Values)
        {
            if (InConfig(node.Id) && (!node.IsUp || !SameMembership(node.ConfState, latest)))
            {
                return;
            }
        }

        foreach (var node in _nodes.Values)
        {
            if (!node.Retired && _everMembers.Contains(node.Id) && !InConfig(node.Id))
            {
                Trace($"{node.Id} retires (removed)");
                node.Crash();
                node.Retired = true;
            }
        }
    }

    private static bool SameMembership(ConfState a, ConfState b) =>
        a.Voters.SequenceEqual(b.Voters) && a.VotersOutgoing.SequenceEqual(b.VotersOutgoing)
        && a.Learners.SequenceEqual(b.Learners) && a.LearnersNext.SequenceEqual(b.LearnersNext);

    /// <summary>After healing, some proposal must be applied by every member within a bound.</summary>
    private void CheckLiveness()
    {
        long deadline = Now + (long)Options.LivenessTicks * SimulationOptions.UnitsPerTick;
        var proposed = new List<string>();
        while (Now < deadline)
        {
            Step(faults: false);
            RetireRemovedNodes();
            var members = _nodes.Values.Where(n => n.IsUp && InConfig(n.Id)).ToList();
            foreach (string value in proposed)
            {
                if (members.All(n => n.AppliedValues.Contains(value)))
                {
                    return;
                }
            }

            if (Now % SimulationOptions.UnitsPerTick == 0 && Leader() is { } leader)
            {
                string value = $"live{proposed.Count}";
                if (leader.Node!.Propose(ByteString.CopyFromUtf8(value)) == RaftError.None)
                {
                    proposed.Add(value);
                }
            }
        }

        var states = string.Join("; ", _nodes.Values.Where(n => n.IsUp).Select(n => $"{n.Id}: {n.Status}"));
        throw new SimulationFailure($"liveness: no proposal was applied by every member within {Options.LivenessTicks} ticks after healing. {states}");
    }

    private bool InConfig(ulong id)
    {
        var cs = _latestConf;
        return cs.Voters.Contains(id) || cs.Learners.Contains(id) || cs.VotersOutgoing.Contains(id) || cs.LearnersNext.Contains(id);
    }

    private sealed class TraceLogger(Simulator sim, ulong id) : IRaftLogger
    {
        public void Debug(string message) => sim.Trace($"  {id} DEBUG {message}");

        public void Info(string message) => sim.Trace($"  {id} INFO {message}");

        public void Warn(string message) => sim.Trace($"  {id} WARN {message}");
    }
}
