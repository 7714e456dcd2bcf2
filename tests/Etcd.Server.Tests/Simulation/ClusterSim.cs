using Etcd.Api.Etcdserverpb;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Core;
using Etcd.Server.Membership;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// One deterministic whole-cluster run, every choice drawn from one seeded <see cref="System.Random"/>:
/// a fault phase (clients writing, reading, watching, leasing, compacting and administering auth
/// and alarms at random members; a lossy, reordering network; partitions; process kills and power
/// losses, also half-way through a Ready; snapshots and log compaction), then healing, until the
/// cluster has settled, then the checks: every acknowledged write is on every member as its client
/// was told, reads were linearizable, and all members hold identical state.
/// </summary>
internal sealed class ClusterSim
{
    private static readonly int TraceLines = int.TryParse(Environment.GetEnvironmentVariable("CLUSTER_SIM_TRACE_LINES"), out var lines) ? lines : 600;

    private readonly SortedDictionary<ulong, SimMember> _members = [];
    private readonly List<SimWatcher> _watchers = [];
    private readonly Dictionary<long, (string Events, string WithoutDeletes, bool Partial, int Watcher, ulong Member)> _watched = [];
    private readonly List<AckedWrite> _acked = [];
    private readonly HashSet<ulong> _removed = [];
    private readonly Queue<string>? _trace;
    private readonly ClientLoad _load;
    private bool _faults;
    private long _healAt;
    private AckedWrite? _barrier;

    public ClusterSim(int seed, bool trace)
    {
        Random = new Random(seed);
        Options = ClusterSimOptions.FromSeed(seed, Random);
        Network = new SimPeerNetwork(this) { DropRate = Options.DropRate, DuplicateRate = Options.DuplicateRate, MaxDelay = Options.MaxDelay };
        _load = new ClientLoad(Random, Options.ClusterSize);
        _trace = trace ? new Queue<string>() : null;
        Time = new SimTime(this);
        History = new ClientHistory(() => Now);
        Leases = new SimLeases(this);
        Auth = new SimAuth(this, Options.AuthToggles);
        Checker = new ClusterChecker(Stats);
        Membership = new SimMembership(this);
    }

    public Random Random { get; }

    public ClusterSimOptions Options { get; }

    public SimPeerNetwork Network { get; }

    public ClusterChecker Checker { get; }

    /// <summary>The clients' leases, checked for ending no earlier than promised.</summary>
    public SimLeases Leases { get; }

    /// <summary>Learners added, promoted and removed, one change at a time.</summary>
    public SimMembership Membership { get; }

    /// <summary>The administrator's auth setup and the users client writes go as.</summary>
    public SimAuth Auth { get; }

    /// <summary>Every client operation, checked for linearizability at the end.</summary>
    public ClientHistory History { get; }

    public ClusterSimStats Stats { get; } = new();

    public long Now { get; private set; }

    /// <summary>Simulated time as a clock for the member's leases and tokens: a unit is 10 ms.</summary>
    public TimeProvider Time { get; }

    /// <summary>The last events of the run (only when tracing), for failure reports.</summary>
    public IEnumerable<string> RecentTrace => _trace ?? Enumerable.Empty<string>();

    public SimMember Member(ulong id) => _members[id];

    /// <summary>The member with this id, or null: not started yet, or removed and stopped.</summary>
    public SimMember? TryMember(ulong id) => _members.GetValueOrDefault(id);

    /// <summary>A member added to the cluster starts its process, joining the running cluster (once).</summary>
    public void AddMember(ulong id)
    {
        if (_members.ContainsKey(id) || _removed.Contains(id)) return;
        Trace($"{id} starts, joining the cluster");
        var member = new SimMember(this, id, null);
        _members[id] = member;
        member.Start();
    }

    /// <summary>A member removed from the cluster stops for good at the end of this step, as the server stops itself.</summary>
    public void RemoveMember(ulong id) => _removed.Add(id);

    public void Trace(string line)
    {
        if (_trace is null) return;
        _trace.Enqueue($"[{Now / ClusterSimOptions.UnitsPerTick}.{Now % ClusterSimOptions.UnitsPerTick}] {line}");
        if (_trace.Count > TraceLines) _trace.Dequeue();
    }

    public IRaftLogger? RaftLogger(ulong id) => _trace is null ? null : new TraceLogger(this, id);

    public void Run()
    {
        if (Options.ClusterSize == 3) Stats.ThreeMemberRuns++;
        else Stats.FiveMemberRuns++;
        var peers = new List<Peer>();
        for (ulong id = 1; id <= (ulong)Options.ClusterSize; id++)
        {
            var member = new Etcd.Server.Membership.Member { Id = id, Name = $"m{id}", PeerUrls = [$"http://10.0.0.{id}:2380"] };
            peers.Add(new Peer(id, ByteString.CopyFrom(MemberContext.From(member).ToJson())));
        }
        foreach (var peer in peers) _members[peer.Id] = new SimMember(this, peer.Id, peers);
        foreach (var member in _members.Values) member.Start();
        for (var n = 0; n < Options.Watchers; n++) _watchers.Add(new SimWatcher(this, n));

        _faults = true;
        var faultEnd = (long)Options.FaultTicks * ClusterSimOptions.UnitsPerTick;
        while (Now < faultEnd) Step();

        Heal();
        Settle();
        Verify();
    }

    /// <summary>Asked by a member's disk and network after each write inside a Ready: does its process die right here?</summary>
    public bool ShouldCrashMidReady() => _faults && Random.NextDouble() < Options.MidReadyCrashRate;

    /// <summary>A member's process died half-way through a Ready.</summary>
    public void CrashMidReady(SimMember member, string where)
    {
        Stats.MidReadyCrashes++;
        Crash(member, where);
    }

    /// <summary>A proposal's waiter completed: with success the write is acknowledged.</summary>
    public void OnProposalDone(SimMember member, InternalRaftRequest? request, ConfChange? change, Task<ApplyResult> waiter, int operation)
    {
        if (change is not null)
        {
            // Its effect is checked through the member lists at the end.
            if (waiter.IsCompletedSuccessfully && change.Type == ConfChangeType.ConfChangeUpdateNode) Stats.MemberUpdatesApplied++;
            Membership.Done(change, member);
            return;
        }
        if (request is null) return;
        if (SimAuth.IsAdmin(request))
        {
            if (waiter.IsCompletedSuccessfully && waiter.Result.Error is null) Auth.Acknowledged(request, member);
            else Auth.Failed();
        }
        if (waiter.IsCompletedSuccessfully && waiter.Result.Error is null)
        {
            var write = new AckedWrite(member.Id, request, waiter.Result.Response!);
            _acked.Add(write);
            History.WriteDone(operation, write.Response);
            Stats.Acked++;
            if (request.Put?.Key.ToStringUtf8() == "barrier") _barrier = write;
            Trace($"{member.Id} acknowledges {request.Header.ID:x}");
        }
        else
        {
            Stats.FailedOrDropped++;
            if (waiter.IsCompletedSuccessfully && !MayFail(request, waiter.Result.Error!))
                throw new ClusterSimFailure($"member {member.Id}: {request} was applied with error {waiter.Result.Error}");
        }
    }

    /// <summary>
    /// The errors a request of this load may meet once applied: a compaction at or below the last
    /// one or beyond the newest revision, a lease that is gone (expired, revoked, or never granted),
    /// a refusal by auth (a user not allowed, a token older than the auth store), a write refused
    /// while NOSPACE is raised, and nothing else.
    /// </summary>
    private bool MayFail(InternalRaftRequest request, Exception error)
    {
        var detail = error is Etcd.Server.Api.EtcdException etcd ? etcd.Message : "";
        if (SimAuth.IsAdmin(request)) return SimAuth.IsAdminRefusal(detail);
        if (Options.AuthRate > 0 && SimAuth.IsAuthRefusal(detail)) return true;
        if (Options.AlarmRate > 0 && detail == "etcdserver: mvcc: database space exceeded" && request is { Put: not null } or { Txn: not null } or { LeaseGrant: not null })
            return true;
        return request switch
        {
            { Alarm: not null } => false,
            { Compaction: not null } => detail.Contains("compacted", StringComparison.Ordinal) || detail.Contains("future revision", StringComparison.Ordinal),
            { LeaseRevoke: not null } or { Put.Lease: not 0 } => detail.Contains("lease not found", StringComparison.Ordinal),
            _ => false,
        };
    }

    private void Step()
    {
        Now++;
        if (Now % ClusterSimOptions.UnitsPerTick == 0)
        {
            foreach (var member in _members.Values) member.Tick();
        }
        Network.DeliverDue(Now);
        if (_faults) InjectFaults();
        if (_faults && Random.NextDouble() < Options.WriteRate && RandomUpMember() is { } target)
        {
            Stats.Proposed++;
            var write = _load.Next(Leases.ForPut());
            write.Header = new RequestHeader { Username = Auth.NextUser() };
            target.Propose(write);
        }
        if (_faults && Random.NextDouble() < Options.AuthRate && RandomUpMember() is { } admin && Auth.NextAdmin() is { } adminRequest)
        {
            Stats.AuthChanges++;
            admin.Propose(adminRequest);
        }
        if (_faults && Random.NextDouble() < Options.AlarmRate && RandomUpMember() is { } alarmed)
        {
            // Raised by a member whose disk filled up, cleared by an operator; cleared more often than raised.
            Stats.AlarmChanges++;
            var action = Random.Next(3) == 0 ? AlarmRequest.Types.AlarmAction.Activate : AlarmRequest.Types.AlarmAction.Deactivate;
            alarmed.Propose(new InternalRaftRequest { Alarm = new AlarmRequest { Action = action, MemberID = alarmed.Id, Alarm = AlarmType.Nospace }, Header = new RequestHeader { Username = "root" } });
        }
        if (_faults && Random.NextDouble() < Options.LeaseRate && RandomUpMember() is { } leaseClient)
        {
            switch (Random.Next(10))
            {
                case < 4:
                    leaseClient.Propose(Leases.Grant());
                    break;
                case < 5:
                    if (Leases.Revoke() is { } revoke) leaseClient.Propose(revoke);
                    break;
                default:
                    // Sent to some member, which hands it to the one it takes for the leader.
                    var primaries = _members.Values.Where(m => m.IsUp && m.State.Leases.IsPrimary).ToList();
                    if (Leases.ToKeepAlive() is { } kept && primaries.Count > 0) primaries[Random.Next(primaries.Count)].KeepAlive(kept);
                    break;
            }
        }
        if (_faults && Random.NextDouble() < Options.CompactionRate && RandomUpMember() is { } compactor && compactor.Kv.CurrentRevision > 2)
        {
            // Somewhere in the recent past, as a client with --auto-compaction would.
            var current = compactor.Kv.CurrentRevision;
            compactor.Propose(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = Math.Max(1, current - Random.Next(0, 30)) } });
        }
        if (_faults && Random.NextDouble() < Options.ReadRate && RandomUpMember() is { } reader)
        {
            Stats.Reads++;
            reader.Read(_load.NextRead());
        }
        if (_faults && Random.NextDouble() < Options.MembershipRate && RandomUpMember() is { } changer)
        {
            Stats.MembershipChanges++;
            Membership.Next(changer);
        }
        if (_faults && Random.NextDouble() < Options.MemberUpdateRate && RandomUpMember() is { } proposer)
        {
            var (member, peerUrl) = _load.NextPeerUrl();
            proposer.ProposeMemberUpdate(member, peerUrl);
        }
        // A copy: an answered membership change starts or stops a member.
        foreach (var member in _members.Values.ToList())
        {
            member.ProcessReadies();
            member.CollectResults();
            if (!member.IsUp) continue;
            member.RevokeExpiredLeases();
            Leases.Observe(member);
        }
        foreach (var watcher in _watchers) watcher.Step();
        StopRemovedMembers();
    }

    /// <summary>
    /// A member whose removal was applied where it has not heard of it stops once a peer tells it
    /// (the transport's RemovedFromCluster); here, once any running member lists it as removed.
    /// </summary>
    private void StopRemovedMembers()
    {
        foreach (var member in _members.Values.ToList())
        {
            if (!_removed.Contains(member.Id) && !_members.Values.Any(other => other.IsUp && other.Members.IsRemoved(member.Id))) continue;
            _removed.Add(member.Id);
            _members.Remove(member.Id);
            Trace($"{member.Id} was removed and stops");
            Stats.MembersRemoved++;
            if (member.IsUp) member.Crash(powerLoss: false);
        }
    }

    private SimMember? RandomUpMember()
    {
        var up = UpMembers();
        return up.Count == 0 ? null : up[Random.Next(up.Count)];
    }

    /// <summary>The members a client may use: up, and voters by their own list (etcd refuses client requests on a learner).</summary>
    public List<SimMember> UpMembers() => [.. _members.Values.Where(m => m.IsUp && m.Members.Find(m.Id) is { IsLearner: false })];

    /// <summary>
    /// A watcher got the events of a revision: they must be the ones every other watcher got for
    /// it. A revision read back at the compact revision (<paramref name="partial"/>) may lack its
    /// deletions, so only its other events are compared.
    /// </summary>
    public void Watched(long revision, string events, string withoutDeletes, bool partial, int watcher, ulong member)
    {
        if (!_watched.TryGetValue(revision, out var seen) || (seen.Partial && !partial))
        {
            if (seen.Events is not null && seen.WithoutDeletes != withoutDeletes)
                throw new ClusterSimFailure($"watcher {watcher} on member {member} got [{events}] for revision {revision}; watcher {seen.Watcher} on member {seen.Member} got [{seen.Events}] (read at the compact revision)");
            _watched[revision] = (events, withoutDeletes, partial, watcher, member);
            return;
        }
        if (partial ? seen.WithoutDeletes != withoutDeletes : seen.Events != events)
            throw new ClusterSimFailure($"watcher {watcher} on member {member} got [{events}] for revision {revision}{(partial ? " (read at the compact revision)" : "")}; watcher {seen.Watcher} on member {seen.Member} got [{seen.Events}]");
    }

    private void InjectFaults()
    {
        foreach (var member in _members.Values.ToList())
        {
            if (member.IsUp && Random.NextDouble() < Options.CrashRate) Crash(member, "between Readies");
            else if (!member.IsUp && Now >= member.RestartAt) member.Start();
        }
        if (Network.Partitioned && Now >= _healAt)
        {
            Trace("partition heals");
            Network.Heal();
        }
        else if (!Network.Partitioned && Random.NextDouble() < Options.PartitionRate)
        {
            Stats.Partitions++;
            Network.Partition(_members.Keys);
            _healAt = Now + Random.Next(5, 60) * ClusterSimOptions.UnitsPerTick;
        }
    }

    private void Crash(SimMember member, string where)
    {
        var powerLoss = Random.NextDouble() < Options.PowerLossShare;
        Stats.Crashes++;
        if (powerLoss) Stats.PowerLosses++;
        Trace($"{member.Id} {(powerLoss ? "loses power" : "is killed")} {where}");
        member.Crash(powerLoss);
        // Sometimes down long enough that the others compact past it and it needs a snapshot.
        var downTicks = Random.Next(4) == 0 ? Random.Next(30, 120) : Random.Next(1, 30);
        member.RestartAt = Now + downTicks * ClusterSimOptions.UnitsPerTick;
    }

    /// <summary>Ends all faults: the network becomes reliable and every member runs.</summary>
    private void Heal()
    {
        Trace("healing");
        _faults = false;
        Leases.StopKeepingAlive();
        Network.Heal();
        Network.DropRate = 0;
        Network.DuplicateRate = 0;
        Network.MaxDelay = Math.Min(Network.MaxDelay, ClusterSimOptions.UnitsPerTick);
        foreach (var member in _members.Values)
        {
            if (!member.IsUp) member.Start();
        }
    }

    /// <summary>
    /// Runs until a write proposed after healing is acknowledged and every member has applied
    /// everything in the longest log; a cluster that does not get there in time fails the run.
    /// </summary>
    private void Settle()
    {
        var deadline = Now + (long)Options.SettleTicks * ClusterSimOptions.UnitsPerTick;
        var barrierEvery = 4L * Options.ElectionTick * ClusterSimOptions.UnitsPerTick;
        var nextBarrier = Now;
        while (Now < deadline)
        {
            Step();
            if (_barrier is null && Now >= nextBarrier && _members.Values.FirstOrDefault(m => m.Leader == m.Id) is { } leader)
            {
                // Retried now and then: the one before may have been lost with a leader change.
                // An operator clears a NOSPACE alarm first, or no put gets through.
                if (leader.State.Alarms.IsRaised(AlarmType.Nospace))
                {
                    foreach (var alarm in leader.State.Alarms.All)
                        leader.Propose(new InternalRaftRequest { Alarm = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = alarm.MemberID, Alarm = alarm.Alarm }, Header = new RequestHeader { Username = "root" } });
                }
                Stats.Proposed++;
                leader.Propose(_load.Barrier());
                nextBarrier = Now + barrierEvery;
            }
            if (_barrier is not null && Converged()) return;
        }
        var states = string.Join("; ", _members.Values.Select(m => $"{m.Id}: applied {m.AppliedIndex} last {m.LastIndex} {m.Status.SoftState}"));
        throw new ClusterSimFailure($"the cluster did not settle within {Options.SettleTicks} ticks after healing: {states}");
    }

    private bool Converged()
    {
        var lastIndex = _members.Values.Max(m => m.LastIndex);
        // Leases nobody keeps alive any more must all have expired and been revoked.
        return _members.Values.All(m => m.AppliedIndex == lastIndex && !Leases.AnyLeft(m));
    }

    /// <summary>The end of the run: identical members, and every acknowledged write on each as its client was told.</summary>
    private void Verify()
    {
        var first = _members.Values.First();
        var hash = first.Kv.HashKV(0);
        var memberIds = MemberList(first);
        foreach (var member in _members.Values)
        {
            if (member.AppliedIndex != first.AppliedIndex || member.Kv.CurrentRevision != first.Kv.CurrentRevision)
                throw new ClusterSimFailure($"member {member.Id} applied {member.AppliedIndex} at revision {member.Kv.CurrentRevision}, member {first.Id} applied {first.AppliedIndex} at revision {first.Kv.CurrentRevision}");
            if (ClusterChecker.Digest(member.State.Backend) != ClusterChecker.Digest(first.State.Backend))
                throw new ClusterSimFailure($"member {member.Id}'s backend differs from member {first.Id}'s, both at applied index {first.AppliedIndex}");
            var memberHash = member.Kv.HashKV(0);
            if (memberHash != hash)
                throw new ClusterSimFailure($"member {member.Id} has hash {memberHash}, member {first.Id} has {hash}, both at applied index {first.AppliedIndex}");
            var ids = MemberList(member);
            if (ids != memberIds) throw new ClusterSimFailure($"member {member.Id} lists members {ids}, member {first.Id} lists {memberIds}");
            foreach (var write in _acked) AckedWriteCheck.Verify(write, member);
        }
        if (!Options.AuthToggles)
        {
            foreach (var write in _acked) Auth.CheckAllowed(write);
        }
        History.Verify(first);
        foreach (var watcher in _watchers)
        {
            watcher.Step();
            if (watcher.Last != first.Kv.CurrentRevision)
                throw new ClusterSimFailure($"watcher {watcher.Number} is at revision {watcher.Last} after the cluster settled at {first.Kv.CurrentRevision}");
        }
        Stats.ReadsAnswered += History.Reads;
        Stats.Fingerprint = $"{first.AppliedIndex}/{hash}/{_acked.Count}/{Stats.Delivered}/{Now}";
        Trace($"verified {_acked.Count} acknowledged writes on {_members.Count} members: {Stats.Fingerprint}");
    }

    private static string MemberList(SimMember member) => string.Join("; ", member.Members.All.Select(m =>
        $"{m.Id} {m.Name} peers={string.Join(',', m.PeerUrls)} clients={string.Join(',', m.ClientUrls)} learner={m.IsLearner}"));

    private sealed class SimTime(ClusterSim sim) : TimeProvider
    {
        public override long TimestampFrequency => 100;

        public override long GetTimestamp() => sim.Now;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddSeconds(1_000_000).AddMilliseconds(sim.Now * 10);
    }

    private sealed class TraceLogger(ClusterSim sim, ulong id) : IRaftLogger
    {
        public void Debug(string message) => sim.Trace($"  {id} DEBUG {message}");

        public void Info(string message) => sim.Trace($"  {id} INFO {message}");

        public void Warn(string message) => sim.Trace($"  {id} WARN {message}");
    }
}
