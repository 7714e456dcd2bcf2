using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Authentication;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Replication;
using Etcd.Server.State;
using Etcd.Server.Watch;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// One simulated etcd member. Its <see cref="SimDisk"/> survives crashes; the process does not.
/// The process is the server's own: <see cref="MemberState"/> opened from the disk, the Raft node
/// and <see cref="ReadyProcessor"/> built by <see cref="MemberRaft"/> as ServerBootstrap builds
/// them, and proposal waiters; only the WAL, the backend engine, the network and time are
/// simulated. The simulated disk and network end the process half-way through a Ready by throwing
/// <see cref="SimulatedCrash"/> after one of their writes.
/// </summary>
/// <param name="initialPeers">The members of the new cluster it bootstraps, or null for a member joining a running one (added by MemberAdd first).</param>
internal sealed class SimMember(ClusterSim sim, ulong id, IReadOnlyList<Peer>? initialPeers)
{
    public const ulong ClusterId = 0xC105E7;

    private readonly List<Proposal> _proposals = [];
    private readonly List<PendingRead> _reads = [];
    private readonly List<(long Lease, Task Confirmed)> _keepAlives = [];
    private MemberRaft? _raft;
    private ReadIndexRounds? _readRounds;
    private WatchHub? _watches;
    private MemberState? _state;
    private ProposalWaiters _waiters = new();
    private RequestIdGenerator? _ids;

    public ulong Id => id;

    private ClusterSim Sim => sim;

    public SimDisk Disk { get; } = new();

    public bool IsUp => _raft is not null;

    /// <summary>Bumped on every start, so transport reports meant for an earlier process are ignored.</summary>
    public int Incarnation { get; private set; }

    /// <summary>Simulated time at which a crashed member comes back.</summary>
    public long RestartAt { get; set; }

    /// <summary>The leader this member knows of, 0 when none.</summary>
    public ulong Leader => _raft?.Readies.Leader ?? 0;

    public MemberState State => _state ?? throw new InvalidOperationException($"member {id} is down");

    public KvStore Kv => State.Kv;

    public ClusterMembers Members => State.Members;

    /// <summary>The member's watch hub (the server's, driven by the simulator instead of its own loops).</summary>
    public WatchHub Watches => _watches ?? throw new InvalidOperationException($"member {id} is down");

    public ulong AppliedIndex => _state?.AppliedIndex ?? 0;

    /// <summary>The last index of the Raft log this process holds.</summary>
    public ulong LastIndex => _raft?.Storage.LastIndex() ?? 0;

    public RaftStatus Status => (_raft ?? throw new InvalidOperationException($"member {id} is down")).Node.Status();

    /// <summary>Starts the process as ServerBootstrap does: a new member bootstraps, a restarted one recovers from its disk.</summary>
    public void Start()
    {
        Incarnation++;
        var restarting = Disk.Wal.Exists;
        RecoveredLog recovered;
        if (restarting)
        {
            recovered = Disk.Wal.Recover();
            sim.Trace($"{id} restarts: snapshot {recovered.Snapshot?.Metadata.Index ?? 0}, {recovered.Entries.Count} entries, commit {recovered.HardState?.Commit ?? 0}");
        }
        else
        {
            Disk.Wal.Create();
            recovered = RecoveredLog.Empty;
        }
        _waiters = new ProposalWaiters();
        var snapshot = recovered.Snapshot?.Metadata;
        void InstalledAtStart(ulong index) => sim.Trace($"{id} installs the backend received for snapshot {index} at start");
        Disk.InstalledAtStart += InstalledAtStart;
        try
        {
            _state = new MemberState(Disk, snapshot?.Index ?? 0, snapshot?.ConfState ?? new ConfState(), _waiters, new MemberStateSettings
            {
                LocalId = id,
                ClusterId = ClusterId,
                Time = sim.Time,
                Logger = ZapLogger.Discard,
                LeaseMinTtl = 1,
                // An election timeout, as the server extends leases by when a new leader takes over.
                LeasePromotionExtension = TimeSpan.FromMilliseconds(100 * sim.Options.ElectionTick),
                Tokens = new SimpleTokens(sim.Time, TimeSpan.FromMinutes(5)),
                CompactInline = true,
            });
        }
        finally
        {
            Disk.InstalledAtStart -= InstalledAtStart;
        }
        var options = sim.Options;
        var incarnation = Incarnation;
        _raft = MemberRaft.Create(new MemberRaftSettings
        {
            MemberId = id,
            ElectionTicks = options.ElectionTick,
            PreVote = options.PreVote,
            SnapshotCount = options.SnapshotCount,
            SnapshotCatchUpEntries = options.CatchUpEntries,
            Random = new Random(sim.Random.Next()),
            MaxSizePerMsg = options.MaxSizePerMsg,
            MaxInflightMsgs = options.MaxInflight,
            RaftLogger = sim.RaftLogger(id),
        }, Disk.Wal, recovered, restarting ? null : initialPeers, _state, new Sender(this, incarnation), ZapLogger.Discard);
        Disk.Wal.AfterWrite = MaybeCrash;
        // Reads as the KV service serves them: a ReadIndex round, then the local store.
        _readRounds = new ReadIndexRounds(ZapLogger.Discard, new RequestIdGenerator(id, DateTimeOffset.UnixEpoch.AddSeconds(1_000_000 + sim.Now)));
        _raft.Readies.ReadStateReceived += _readRounds.Accept;
        _raft.Readies.Applied += _ => _readRounds.Release(State.AppliedIndex);
        _watches = new WatchHub(_state.Kv, revision => new ResponseHeader { ClusterId = ClusterId, MemberId = id, Revision = revision }, 1 << 20,
            TimeSpan.FromMinutes(10), ZapLogger.Discard, sim.Time);
        _raft.Readies.LeaderChanged += leader =>
        {
            sim.Trace($"{id} sees leader {leader}");
            // As ServerBootstrap wires it: only the leader's lessor counts leases down.
            _state.LeaseApplier.OnLeadershipChanged(leader == id);
        };
        _raft.Readies.SnapshotInstalled += index =>
        {
            sim.Stats.SnapshotsInstalled++;
            sim.Trace($"{id} installed snapshot {index}, revision {Kv.CurrentRevision}");
            sim.Checker.OnApplied(this);
        };
        _raft.Readies.Applied += entries =>
        {
            if (entries == 0) return;
            sim.Stats.EntriesApplied += entries;
            sim.Checker.OnApplied(this);
            MaybeCrash("after applying, before Advance");
        };
        // Request ids embed the start time; simulated time keeps incarnations apart.
        _ids = new RequestIdGenerator(id, DateTimeOffset.UnixEpoch.AddSeconds(1_000_000 + sim.Now));
        sim.Checker.OnApplied(this);
    }

    private void MaybeCrash(string where)
    {
        if (sim.ShouldCrashMidReady()) throw new SimulatedCrash(where);
    }

    /// <summary>The process dies: waiters fail, everything in memory is gone, the disk keeps what it keeps.</summary>
    public void Crash(bool powerLoss)
    {
        CollectResults();
        _waiters.FailAll(new InvalidOperationException("member crashed"));
        CollectResults();
        foreach (var read in _reads) sim.History.ReadFailed(read.Operation);
        _reads.Clear();
        _keepAlives.Clear();
        // Only the store's own threads stop; the engine is the disk's and outlives the process.
        _state?.Kv.Dispose();
        _state = null;
        _raft = null;
        _readRounds = null;
        _watches = null;
        Disk.Wal.AfterWrite = null;
        Disk.Crash(powerLoss, sim.Random);
    }

    public void Tick()
    {
        if (_raft is null) return;
        _raft.Node.Tick();
        _readRounds!.RetryUnanswered(_raft.Node, TimeSpan.FromMilliseconds(sim.Now * 10));
    }

    /// <summary>
    /// The leader's lease expiry, as LeaseExpiryLoop does it on each round: expired leases are
    /// revoked through Raft. Returns the leases it proposed to revoke.
    /// </summary>
    public List<long> RevokeExpiredLeases()
    {
        var revoked = new List<long>();
        if (_state is null) return revoked;
        foreach (var lease in _state.Leases.TakeExpired(Etcd.Server.Leases.Lessor.RevokesPerSecond / 2))
        {
            revoked.Add(lease.Id);
            sim.Trace($"{id} revokes expired lease {lease.Id:x}");
            // As root when auth is on, as ServerBootstrap wires LeaseExpiryLoop (etcd's WithRoot).
            var revoke = new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = lease.Id } };
            if (_state.Auth.Enabled) revoke.Header = new RequestHeader { Username = "root" };
            Propose(revoke);
        }
        return revoked;
    }

    /// <summary>
    /// A keep-alive sent to this member, as LeaseRequests answers it on the primary lessor (a
    /// follower forwards it there; the client here sends it to a primary directly): leadership
    /// is confirmed by a ReadIndex round first, then the lease is renewed if it still may be.
    /// </summary>
    public void KeepAlive(long leaseId)
    {
        if (_state is null || !_state.Leases.IsPrimary || _raft is null) return;
        var ready = _readRounds!.WaitAsync(CancellationToken.None, out var issue);
        if (issue) _readRounds.Issue(_raft.Node);
        _keepAlives.Add((leaseId, ready));
    }

    private void RenewConfirmed(long leaseId)
    {
        if (_state is null || Leader != id) return;
        var attempt = _state.Leases.BeginRenew(leaseId);
        sim.Trace($"{id} takes a keep-alive of lease {leaseId:x}: {attempt.State} ({(attempt.Lease is { } l ? _state.Leases.RemainingSeconds(l) : -1)} s left)");
        if (attempt.State == Etcd.Server.Leases.RenewState.Renewable && _state.Leases.Renew(attempt.Lease!)) sim.Leases.KeptAlive(leaseId, attempt.Lease!.Ttl);
    }

    /// <summary>A client's linearizable read, served as the KV service serves it.</summary>
    public void Read(RangeRequest request)
    {
        if (_raft is null) return;
        var ready = _readRounds!.WaitAsync(CancellationToken.None, out var issue);
        if (issue) _readRounds.Issue(_raft.Node);
        _reads.Add(new PendingRead(request, ready, sim.History.ReadStarted(id, request)));
    }

    /// <summary>A message arrives; a snapshot's backend is on disk before Raft sees the snapshot.</summary>
    public void Receive(Message message, byte[]? backend)
    {
        if (_raft is null) return;
        if (message.Type == MessageType.MsgSnap && backend is not null) Disk.ReceivedBackends[message.Snapshot.Metadata.Index] = backend;
        _raft.Node.Step(message);
    }

    public void ReportUnreachable(ulong peer) => _raft?.Node.ReportUnreachable(peer);

    public void ReportSnapshot(ulong peer, SnapshotStatus status) => _raft?.Node.ReportSnapshot(peer, status);

    /// <summary>A client's write, proposed here as EtcdServer.ProposeAsync does (a follower's Raft forwards it to the leader).</summary>
    public void Propose(InternalRaftRequest request)
    {
        if (_raft is null || _ids is null) return;
        var requestId = _ids.Next();
        // The user a token named, checked at this member: the request carries the auth revision
        // this member had then, as EtcdServer heads it.
        var user = request.Header?.Username ?? "";
        request.Header = new RequestHeader { ID = requestId, Username = user, AuthRevision = user.Length == 0 ? 0 : State.Auth.Revision };
        var waiter = _waiters.Register(requestId);
        var operation = sim.History.WriteStarted(id, request);
        var error = _raft.Node.Propose(request.ToByteString());
        if (error != RaftError.None) _waiters.Cancel(requestId, new InvalidOperationException($"proposal dropped: {error}"));
        _proposals.Add(new Proposal(request, null, waiter, operation));
        sim.Trace($"{id} proposes {requestId:x}: {error}");
    }

    /// <summary>
    /// Proposes a configuration change as MembershipChanges does: a ConfChange whose id is the
    /// request id its waiter waits on (member add, promote, remove, or a new peer URL).
    /// </summary>
    public void ProposeConfChange(ConfChangeType type, ulong member, MemberContext? context)
    {
        if (_raft is null || _ids is null) return;
        var requestId = _ids.Next();
        var waiter = _waiters.Register(requestId);
        var change = new ConfChange { Type = type, NodeId = member, Id = requestId, Context = context is null ? ByteString.Empty : ByteString.CopyFrom(context.ToJson()) };
        var error = _raft.Node.ProposeConfChange(change);
        if (error != RaftError.None) _waiters.Cancel(requestId, new InvalidOperationException($"proposal dropped: {error}"));
        _proposals.Add(new Proposal(null, change, waiter, -1));
        sim.Trace($"{id} proposes {type} {requestId:x} of {member}: {error}");
    }

    /// <summary>A new peer URL for <paramref name="member"/> (etcdctl member update).</summary>
    public void ProposeMemberUpdate(ulong member, string peerUrl) =>
        ProposeConfChange(ConfChangeType.ConfChangeUpdateNode, member, new MemberContext { Id = member, Name = $"m{member}", PeerUrls = [peerUrl] });

    /// <summary>Hands the proposals whose waiters completed to the simulator (acknowledged writes or failures), and serves the reads that may go.</summary>
    public void CollectResults()
    {
        for (var i = _reads.Count - 1; i >= 0 && _state is not null; i--)
        {
            var read = _reads[i];
            if (!read.Ready.IsCompleted) continue;
            _reads.RemoveAt(i);
            sim.History.ReadDone(read.Operation, State.Kv.Range(read.Request));
        }
        for (var i = _keepAlives.Count - 1; i >= 0 && _state is not null; i--)
        {
            if (!_keepAlives[i].Confirmed.IsCompleted) continue;
            var lease = _keepAlives[i].Lease;
            _keepAlives.RemoveAt(i);
            RenewConfirmed(lease);
        }
        for (var i = _proposals.Count - 1; i >= 0; i--)
        {
            var proposal = _proposals[i];
            if (!proposal.Waiter.IsCompleted) continue;
            _proposals.RemoveAt(i);
            sim.OnProposalDone(this, proposal.Request, proposal.Change, proposal.Waiter, proposal.Operation);
        }
    }

    /// <summary>Carries out every pending Ready with the server's Ready loop; the process may die half-way.</summary>
    public void ProcessReadies()
    {
        if (_raft is null) return;
        var snapshotsBefore = _raft.Compaction.SnapshotIndex;
        try
        {
            _raft.Readies.ProcessAll();
        }
        catch (SimulatedCrash crash)
        {
            sim.CrashMidReady(this, crash.Where);
            return;
        }
        if (_raft.Compaction.SnapshotIndex == snapshotsBefore) return;
        sim.Stats.SnapshotsTaken++;
        sim.Trace($"{id} snapshot at {_raft.Compaction.SnapshotIndex}");
    }

    /// <summary>The member's side of the simulated network: what the server's PeerTransport does, minus sockets.</summary>
    private sealed class Sender(SimMember member, int incarnation) : IPeerSender
    {
        public void Send(IReadOnlyList<Message> messages)
        {
            var sim = member.Sim;
            foreach (var message in messages)
            {
                byte[]? backend = null;
                if (message.Type == MessageType.MsgSnap)
                {
                    // As the transport's snapshot sender: the backend goes as it is now, which is
                    // the state as of the applied index the message was described with.
                    using var archive = new MemoryStream();
                    member.State.Backend.WriteSnapshotTo(archive);
                    backend = archive.ToArray();
                    sim.Stats.SnapshotsSent++;
                }
                sim.Network.Send(message, member.Id, incarnation, backend);
            }
            member.MaybeCrash(member.Leader == member.Id ? "as leader after sending, before persisting" : "after sending");
        }
    }

    private sealed record Proposal(InternalRaftRequest? Request, ConfChange? Change, Task<ApplyResult> Waiter, int Operation);

    private sealed record PendingRead(RangeRequest Request, Task Ready, int Operation);
}
