using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Apply;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Raft;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// One simulated etcd member: its <see cref="SimDisk"/> survives crashes; the process (RawNode,
/// Raft's MemoryStorage, the KvStore, the server's <see cref="EntryApplier"/>, proposal waiters)
/// does not. It starts as ServerBootstrap starts a member and handles each Ready in the order
/// RaftNode does, so what is tested is the server's own apply path and its ordering rules; only
/// threads, files and sockets are replaced.
/// </summary>
internal sealed class SimMember(ClusterSim sim, ulong id, IReadOnlyList<Peer> initialPeers)
{
    public const ulong ClusterId = 0xC105E7;

    private readonly List<Proposal> _proposals = [];
    private RawNode? _node;
    private MemoryStorage _storage = new();
    private EntryApplier? _applier;
    private ProposalWaiters _waiters = new();
    private RequestIdGenerator? _ids;
    private KvStore? _kv;
    private ClusterMembers? _members;
    private RaftLogCompaction? _compaction;

    public ulong Id => id;

    public SimDisk Disk { get; } = new();

    public bool IsUp => _node is not null;

    /// <summary>Bumped on every start, so transport reports meant for an earlier process are ignored.</summary>
    public int Incarnation { get; private set; }

    /// <summary>Simulated time at which a crashed member comes back.</summary>
    public long RestartAt { get; set; }

    /// <summary>The leader this member knows of (from its last Ready), 0 when none.</summary>
    public ulong Leader { get; private set; }

    public KvStore Kv => _kv ?? throw new InvalidOperationException($"member {id} is down");

    public ClusterMembers Members => _members ?? throw new InvalidOperationException($"member {id} is down");

    public ulong AppliedIndex => _applier?.AppliedIndex ?? 0;

    /// <summary>The last index of the Raft log this process holds.</summary>
    public ulong LastIndex => _storage.LastIndex();

    public RaftStatus Status => (_node ?? throw new InvalidOperationException($"member {id} is down")).Status();

    /// <summary>Starts the process as ServerBootstrap does: a new member bootstraps, a restarted one recovers from its disk.</summary>
    public void Start()
    {
        Incarnation++;
        Leader = 0;
        _storage = new MemoryStorage();
        var restarting = Disk.Wal.Exists;
        ulong appliedFromSnapshot = 0;
        if (restarting)
        {
            var (snapshot, hardState, entries) = Disk.Wal.Recover();
            // SnapshotInstaller.InstallPendingAtStart: a backend received with the newest snapshot
            // but not installed before the crash is installed now, before anything reads the old one.
            if (snapshot is not null && Disk.ReceivedBackends.TryGetValue(snapshot.Metadata.Index, out var pending))
            {
                using var stream = new MemoryStream(pending, writable: false);
                Disk.Backend = Etcd.Storage.Backend.Memory.MemoryBackend.RestoreFrom(stream);
                sim.Trace($"{id} installs the backend received for snapshot {snapshot.Metadata.Index} at start");
            }
            Disk.ReceivedBackends.Clear();
            appliedFromSnapshot = RaftLogRecovery.Load(_storage, snapshot, hardState, entries);
            sim.Trace($"{id} restarts: snapshot {appliedFromSnapshot}, {entries.Count} entries, commit {hardState?.Commit ?? 0}");
        }
        else
        {
            Disk.Wal.Create();
        }

        _kv = new KvStore(Disk.Backend);
        _members = new ClusterMembers(ClusterId);
        using (var view = Disk.Backend.Snapshot())
        {
            var (members, removed, version) = MemberBuckets.Load(view);
            _members.Reset(members, removed, version);
        }
        var confState = _storage.Snapshot().Metadata?.ConfState ?? new ConfState();
        var membership = new MembershipApplier(_members, ZapLogger.Discard, id);
        membership.Reset(confState);
        var installer = new SimSnapshotInstaller(Disk, _members);
        installer.Installed += kv => _kv = kv;
        _waiters = new ProposalWaiters();
        _applier = new EntryApplier(_kv, Disk.Backend, _members, _waiters, ZapLogger.Discard, id, confState)
        {
            Membership = membership,
            SnapshotInstaller = installer,
        };
        var options = sim.Options;
        _node = new RawNode(new RaftConfig
        {
            Id = id,
            ElectionTick = options.ElectionTick,
            HeartbeatTick = 1,
            Storage = _storage,
            Applied = appliedFromSnapshot,
            MaxSizePerMsg = options.MaxSizePerMsg,
            MaxInflightMsgs = options.MaxInflight,
            MaxUncommittedEntriesSize = 1UL << 30,
            CheckQuorum = true,
            PreVote = options.PreVote,
            Random = new Random(sim.Random.Next()),
            Logger = sim.RaftLogger(id),
        });
        if (!restarting) _node.Bootstrap(initialPeers);
        _compaction = new RaftLogCompaction(_storage, Disk.Wal, _applier, ZapLogger.Discard, options.SnapshotCount, options.CatchUpEntries);
        // Request ids embed the start time; simulated time keeps incarnations apart.
        _ids = new RequestIdGenerator(id, DateTimeOffset.UnixEpoch.AddSeconds(1_000_000 + sim.Now));
        sim.Checker.OnApplied(this);
    }

    /// <summary>The process dies: waiters fail, everything in memory is gone, the disk keeps what it keeps.</summary>
    public void Crash(bool powerLoss)
    {
        CollectResults();
        _waiters.FailAll(new InvalidOperationException("member crashed"));
        CollectResults();
        _kv?.Dispose();
        _kv = null;
        _members = null;
        _applier = null;
        _compaction = null;
        _node = null;
        Disk.Crash(powerLoss, sim.Random);
    }

    public void Tick() => _node?.Tick();

    /// <summary>A message arrives; a snapshot's backend is on disk before Raft sees the snapshot.</summary>
    public void Receive(Message message, byte[]? backend)
    {
        if (_node is null) return;
        if (message.Type == MessageType.MsgSnap && backend is not null) Disk.ReceivedBackends[message.Snapshot.Metadata.Index] = backend;
        _node.Step(message);
    }

    public void ReportUnreachable(ulong peer) => _node?.ReportUnreachable(peer);

    public void ReportSnapshot(ulong peer, SnapshotStatus status) => _node?.ReportSnapshot(peer, status);

    /// <summary>A client's write, proposed here as EtcdServer.ProposeAsync does (a follower's Raft forwards it to the leader).</summary>
    public void Propose(InternalRaftRequest request)
    {
        if (_node is null || _ids is null) return;
        var requestId = _ids.Next();
        request.Header = new RequestHeader { ID = requestId };
        var waiter = _waiters.Register(requestId);
        var error = _node.Propose(request.ToByteString());
        if (error != RaftError.None) _waiters.Cancel(requestId, new InvalidOperationException($"proposal dropped: {error}"));
        _proposals.Add(new Proposal(request, waiter));
        sim.Trace($"{id} proposes {requestId:x}: {error}");
    }

    /// <summary>
    /// Proposes a new peer URL for <paramref name="member"/> as MembershipChanges does: a
    /// ConfChangeUpdateNode whose id is the request id its waiter waits on.
    /// </summary>
    public void ProposeMemberUpdate(ulong member, string peerUrl)
    {
        if (_node is null || _ids is null) return;
        var requestId = _ids.Next();
        var context = new MemberContext { Id = member, Name = $"m{member}", PeerUrls = [peerUrl] };
        var waiter = _waiters.Register(requestId);
        var change = new ConfChange { Type = ConfChangeType.ConfChangeUpdateNode, NodeId = member, Id = requestId, Context = ByteString.CopyFrom(context.ToJson()) };
        var error = _node.ProposeConfChange(change);
        if (error != RaftError.None) _waiters.Cancel(requestId, new InvalidOperationException($"proposal dropped: {error}"));
        _proposals.Add(new Proposal(null, waiter));
        sim.Trace($"{id} proposes member update {requestId:x} ({member} -> {peerUrl}): {error}");
    }

    /// <summary>Hands the proposals whose waiters completed to the simulator (acknowledged writes or failures).</summary>
    public void CollectResults()
    {
        for (var i = _proposals.Count - 1; i >= 0; i--)
        {
            var proposal = _proposals[i];
            if (!proposal.Waiter.IsCompleted) continue;
            _proposals.RemoveAt(i);
            sim.OnProposalDone(this, proposal.Request, proposal.Waiter);
        }
    }

    /// <summary>Handles every pending Ready; stops early if the member crashes half-way through one.</summary>
    public void ProcessReadies()
    {
        while (_node is not null && _node.HasReady())
        {
            if (!ProcessReady(_node)) return;
        }
    }

    // RaftNode.ProcessReady, with the points where a crash can cut it short.
    private bool ProcessReady(RawNode node)
    {
        var ready = node.GetReady();
        if (ready.SoftState is { } soft && soft.Lead != Leader)
        {
            Leader = soft.Lead;
            sim.Trace($"{id} sees leader {Leader}");
        }

        if (ready.Snapshot is { } snapshot && snapshot.Metadata is { Index: > 0 })
        {
            Disk.Wal.SaveSnapshot(snapshot);
            if (sim.CrashesMidReady(this, "after saving a received snapshot, before installing it")) return false;
            _storage.ApplySnapshot(snapshot);
            _applier!.Restore(snapshot);
            _compaction!.SnapshotIndex = _compaction.ReplayedIndex = snapshot.Metadata.Index;
            sim.Stats.SnapshotsInstalled++;
            sim.Trace($"{id} installed snapshot {snapshot.Metadata.Index}, revision {Kv.CurrentRevision}");
            sim.Checker.OnApplied(this);
        }

        var leaderSendsFirst = Leader == id;
        if (leaderSendsFirst)
        {
            Send(ready.Messages);
            if (sim.CrashesMidReady(this, "as leader after sending, before persisting")) return false;
        }

        var hardState = ready.HasHardState ? ready.HardState : null;
        Disk.Wal.Save(hardState, ready.Entries, ready.MustSync);
        if (hardState is not null) _storage.SetHardState(hardState);
        _storage.Append(ready.Entries);

        if (!leaderSendsFirst)
        {
            if (sim.CrashesMidReady(this, "after persisting, before sending")) return false;
            Send(ready.Messages);
        }

        if (ready.CommittedEntries.Count > 0)
        {
            _applier!.Apply(ready.CommittedEntries, node);
            _compaction!.ReplayedIndex = ready.CommittedEntries[^1].Index;
            sim.Stats.EntriesApplied += ready.CommittedEntries.Count;
            sim.Checker.OnApplied(this);
            if (sim.CrashesMidReady(this, "after applying, before Advance")) return false;
        }

        node.Advance(ready);
        if (_compaction!.MaybeSnapshot())
        {
            sim.Stats.SnapshotsTaken++;
            sim.Trace($"{id} snapshot at {_compaction.SnapshotIndex}");
        }
        return true;
    }

    private void Send(IReadOnlyList<Message> messages)
    {
        foreach (var message in messages)
        {
            byte[]? backend = null;
            if (message.Type == MessageType.MsgSnap)
            {
                // As RaftNode.SendMessages: the backend goes as it is now, as of the applied index.
                if (!OutgoingSnapshots.Describe(message, _applier!, _storage, _compaction!.ReplayedIndex))
                {
                    _node!.ReportSnapshot(message.To, SnapshotStatus.Failure);
                    continue;
                }
                using var archive = new MemoryStream();
                Disk.Backend.WriteSnapshotTo(archive);
                backend = archive.ToArray();
                sim.Stats.SnapshotsSent++;
            }
            sim.Network.Send(message, this, backend);
        }
    }

    private sealed record Proposal(InternalRaftRequest? Request, Task<ApplyResult> Waiter);
}
