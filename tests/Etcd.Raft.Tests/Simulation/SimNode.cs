using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// One simulated member: durable storage that survives crashes, a <see cref="RawNode"/> and a
/// volatile state machine that do not. The state machine is just the chain hash of the applied
/// prefix, which is all the checks need.
/// </summary>
internal sealed class SimNode
{
    private readonly Simulator _sim;

    // Chain hashes of this node's persisted log, by index, from _chainBase on (durable, like the log).
    private readonly List<ulong> _persistedChain = [0];
    private ulong _chainBase;

    public SimNode(Simulator sim, ulong id)
    {
        _sim = sim;
        Id = id;
    }

    public ulong Id { get; }

    /// <summary>What survives a crash: log, hard state, snapshot.</summary>
    public MemoryStorage Storage { get; } = new();

    public RawNode? Node { get; private set; }

    public bool IsUp => Node is not null;

    /// <summary>Removed from the cluster and shut down for good.</summary>
    public bool Retired { get; set; }

    /// <summary>Simulated time at which a crashed node comes back.</summary>
    public long RestartAt { get; set; }

    /// <summary>Bumped on every restart, so reports for an earlier incarnation are ignored.</summary>
    public int Incarnation { get; private set; }

    public ulong Applied { get; private set; }

    public ulong AppliedChain { get; private set; }

    public ConfState ConfState { get; private set; } = new();

    public List<string> AppliedValues { get; } = [];

    private ulong _lastObservedCommit;

    public RaftStatus Status => Node!.Status();

    internal Raft Raft => Node!.Raft;

    /// <summary>Initial members bootstrap again if they crashed before persisting anything (no WAL yet).</summary>
    public IReadOnlyList<Peer>? BootstrapPeers { get; set; }

    public void Start()
    {
        var snapshot = Storage.Snapshot();
        Applied = snapshot.Metadata.Index;
        AppliedChain = Applied == 0 ? 0 : BitConverter.ToUInt64(snapshot.Data.Span);
        ConfState = snapshot.Metadata.ConfState;
        AppliedValues.Clear();
        _lastObservedCommit = 0;
        Incarnation++;
        var o = _sim.Options;
        Node = new RawNode(new RaftConfig
        {
            Id = Id,
            Storage = Storage,
            ElectionTick = o.ElectionTick,
            HeartbeatTick = o.HeartbeatTick,
            PreVote = o.PreVote,
            CheckQuorum = o.CheckQuorum,
            ReadOnlyOption = o.ReadOnlyOption,
            MaxSizePerMsg = o.MaxSizePerMsg,
            MaxInflightMsgs = o.MaxInflight,
            Applied = Applied,
            Random = new Random(_sim.Random.Next()),
            Logger = _sim.RaftLogger(Id),
        });
        if (BootstrapPeers is not null && Storage.LastIndex() == 0)
        {
            Node.Bootstrap(BootstrapPeers);
        }
    }

    /// <summary>Loses everything not persisted: the RawNode, the state machine, unsent messages.</summary>
    public void Crash() => Node = null;

    /// <summary>Handles every pending Ready. Returns false if the node crashed in the middle of one.</summary>
    public void ProcessReadies(bool crashAfterPersisting)
    {
        while (Node is not null && Node.HasReady())
        {
            var rd = Node.GetReady();
            Persist(rd);
            if (crashAfterPersisting)
            {
                _sim.Trace($"{Id} crashes after persisting, before sending");
                Crash();
                return;
            }

            foreach (var m in rd.Messages)
            {
                _sim.Network.Send(m, this);
            }

            if (rd.Snapshot is { Metadata.Index: > 0 } snapshot)
            {
                InstallSnapshot(snapshot);
            }

            foreach (var entry in rd.CommittedEntries)
            {
                Apply(entry);
            }

            foreach (var read in rd.ReadStates)
            {
                _sim.OnReadState(this, read);
            }

            Node.Advance(rd);
            MaybeCompact();
        }
    }

    /// <summary>Records commit progress and leadership for the invariant checks.</summary>
    public void Observe(InvariantChecker checker)
    {
        if (Node is null)
        {
            return;
        }

        var r = Node.Raft;
        if (r.Log.Committed > _lastObservedCommit)
        {
            _lastObservedCommit = r.Log.Committed;
            checker.OnCommitObserved(r.Term, r.Log.Committed, r.Log.TermOrZero(r.Log.Committed));
        }

        if (r.State == RaftState.Leader)
        {
            checker.OnLeader(Id, r.Term);
            checker.CheckLeaderCompleteness(Id, r.Term, index => index < r.Log.FirstIndex ? null : r.Log.TermOrZero(index));
        }
    }

    /// <summary>A snapshot of the state machine as applied now, with the membership as of now.</summary>
    public Snapshot CurrentSnapshot() => new()
    {
        Data = ByteString.CopyFrom(BitConverter.GetBytes(AppliedChain)),
        Metadata = new SnapshotMetadata { Index = Applied, Term = Storage.Term(Applied), ConfState = ConfState },
    };

    private void Persist(Ready rd)
    {
        if (rd.Snapshot is { Metadata.Index: > 0 } snapshot)
        {
            Storage.ApplySnapshot(snapshot);
            _chainBase = snapshot.Metadata.Index;
            _persistedChain.Clear();
            _persistedChain.Add(BitConverter.ToUInt64(snapshot.Data.Span));
        }

        if (rd.Entries.Count > 0)
        {
            Storage.Append(rd.Entries);
            ulong first = rd.Entries[0].Index;
            int keep = (int)(first - _chainBase);
            if (keep < 1 || keep > _persistedChain.Count)
            {
                throw new SimulationFailure($"node {Id} persisted entries from {first} but its log starts after {_chainBase} and has {_persistedChain.Count - 1} entries");
            }

            _persistedChain.RemoveRange(keep, _persistedChain.Count - keep);
            foreach (var e in rd.Entries)
            {
                ulong chain = ChainHash.Extend(_persistedChain[^1], e);
                _persistedChain.Add(chain);
                _sim.Checker.OnPersisted(Id, e.Index, e.Term, chain);
            }
        }

        if (rd.HasHardState)
        {
            Storage.SetHardState(rd.HardState);
        }
    }

    private void InstallSnapshot(Snapshot snapshot)
    {
        ulong chain = BitConverter.ToUInt64(snapshot.Data.Span);
        _sim.Checker.OnSnapshotInstalled(Id, snapshot.Metadata.Index, chain);
        _sim.Stats.SnapshotsInstalled++;
        Applied = snapshot.Metadata.Index;
        AppliedChain = chain;
        ConfState = snapshot.Metadata.ConfState;
        _sim.OnConfChangeApplied(this, ConfState);
        _sim.Trace($"{Id} installed snapshot at {Applied}");
    }

    private void Apply(Entry entry)
    {
        if (entry.Index != Applied + 1)
        {
            throw new SimulationFailure($"node {Id} applied index {entry.Index} after {Applied}: committed entries must be handed out in order, once");
        }

        Applied = entry.Index;
        AppliedChain = ChainHash.Extend(AppliedChain, entry);
        _sim.Checker.OnApplied(Id, Applied, AppliedChain);
        _sim.Stats.EntriesApplied++;
        switch (entry.Type)
        {
            case EntryType.EntryNormal when !entry.Data.IsEmpty:
                AppliedValues.Add(entry.Data.ToStringUtf8());
                break;
            case EntryType.EntryConfChange:
                ConfState = Node!.ApplyConfChange(ConfChange.Parser.ParseFrom(entry.Data));
                _sim.OnConfChangeApplied(this, ConfState);
                break;
            case EntryType.EntryConfChangeV2:
                ConfState = Node!.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(entry.Data));
                _sim.OnConfChangeApplied(this, ConfState);
                break;
        }
    }

    private void MaybeCompact()
    {
        int every = _sim.Options.CompactEvery;
        ulong snapshotIndex = Storage.Snapshot().Metadata.Index;
        if (every == 0 || Applied < snapshotIndex + (ulong)every)
        {
            return;
        }

        Storage.CreateSnapshot(Applied, ConfState, ByteString.CopyFrom(BitConverter.GetBytes(AppliedChain)));

        // Keep a few entries behind the snapshot sometimes, so both catch-up paths get exercised.
        ulong keep = (ulong)_sim.Random.Next(0, 4);
        ulong compactTo = Applied > keep ? Applied - keep : Applied;
        if (compactTo > Storage.FirstIndex() - 1)
        {
            Storage.Compact(compactTo);
        }

        _sim.Trace($"{Id} snapshot at {Applied}, compacted to {compactTo}");
    }
}
