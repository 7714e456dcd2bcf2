using Etcd.Api.Etcdserverpb;
using Etcd.Api.Membershippb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Apply;
using Etcd.Server.Authentication;
using Etcd.Server.Configuration;
using Etcd.Server.Leases;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Peers;
using Etcd.Server.Raft;
using Etcd.Server.Watch;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Google.Protobuf;

namespace Etcd.Server.Core;

/// <summary>
/// Starts a member: a new one from --initial-cluster, or a restarted one from its data dir
/// (snapshot, then the WAL after it, with the backend skipping what it already holds).
/// </summary>
public static class ServerBootstrap
{
    public static async Task<EtcdServer> StartAsync(EtcdConfig config, ZapLogger logger)
    {
        var memberDir = Path.Combine(config.DataDir, "member");
        var walDir = config.WalDir.Length > 0 ? config.WalDir : Path.Combine(memberDir, "wal");
        var snapDir = Path.Combine(memberDir, "snap");
        var restarting = WalRaftLog.Exists(walDir);
        logger.Info("starting an etcd server", LogField.Of("etcd-version", EtcdServer.Version), LogField.Of("name", config.Name),
            LogField.Of("data-dir", config.DataDir), LogField.Of("member-initialized", restarting),
            LogField.Of("initial-cluster", config.InitialCluster), LogField.Of("initial-cluster-state", config.InitialClusterState));

        Directory.CreateDirectory(snapDir);
        var backendDir = Path.Combine(snapDir, "db");
        var received = new ReceivedBackends(snapDir);
        // A backend that came with the newest snapshot but was not installed before the member
        // stopped is installed now, before anything reads the old one.
        if (restarting && new RaftSnapshotFiles(snapDir, (int)config.MaxSnapshots).LoadNewest() is { } newest)
            SnapshotInstaller.InstallPendingAtStart(received, backendDir, newest.Metadata.Index, logger);
        var backend = RocksDbBackend.Open(backendDir);
        logger.Info("opened backend db", LogField.Of("path", Path.Combine(snapDir, "db")));
        // Leases live in the backend and come back on restart; with checkpointing on, the leader
        // records remaining TTLs through Raft every 5 minutes (etcd's interval).
        var lessor = new Lessor(TimeProvider.System, Lessor.MinTtlFor(config.ElectionTicks, config.HeartbeatMs),
            config.LeaseCheckpoint ? TimeSpan.FromMinutes(5) : null);
        using (var leaseView = backend.Snapshot()) lessor.Recover(leaseView);
        var kv = new KvStore(backend, lessor);
        var storage = new MemoryStorage();
        var waiters = new ProposalWaiters();

        ulong memberId, clusterId;
        WalRaftLog log;
        IReadOnlyList<Peer>? bootstrapPeers = null;
        IReadOnlyList<Membership.Member> runningMembers = [];
        ulong appliedFromSnapshot = 0;
        if (restarting)
        {
            var recovered = WalRaftLog.Open(walDir, snapDir, !config.UnsafeNoFsync, (int)config.MaxSnapshots);
            log = recovered.Log;
            memberId = recovered.Metadata.NodeID;
            clusterId = recovered.Metadata.ClusterID;
            appliedFromSnapshot = RaftLogRecovery.Load(storage, recovered.Snapshot, recovered.HardState, recovered.Entries);
            logger.Info("restarting local member", LogField.Id("cluster-id", clusterId), LogField.Id("local-member-id", memberId),
                LogField.Of("commit-index", recovered.HardState?.Commit ?? 0));
        }
        else
        {
            // Checked (and, when joining, the running cluster asked) before anything is written,
            // so a refused start leaves no log behind.
            var first = await FirstStart.PlanAsync(config, logger).ConfigureAwait(false);
            (memberId, clusterId, bootstrapPeers, runningMembers) = (first.MemberId, first.ClusterId, first.BootstrapPeers, first.RunningMembers);
            log = WalRaftLog.Create(walDir, snapDir, new Metadata { NodeID = memberId, ClusterID = clusterId }, !config.UnsafeNoFsync, (int)config.MaxSnapshots);
        }

        var clusterMembers = new ClusterMembers(clusterId);
        using (var membersView = backend.Snapshot())
        {
            var (members, removed, clusterVersion) = MemberBuckets.Load(membersView);
            clusterMembers.Reset(members, removed, clusterVersion);
        }
        // etcd 3.4 keeps the v2 store whether or not --enable-v2 serves it: member changes are
        // recorded in it too, so its index stays etcd's when the API is turned on later.
        var v2Store = new V2.Store.V2Store(TimeProvider.System, "/0", "/1");
        using (var v2View = backend.Snapshot()) V2.Store.V2StoreBucket.Load(v2View, v2Store);
        var v2Members = new V2.Apply.V2MemberRecords(v2Store);
        var membership = new MembershipApplier(clusterMembers, logger, memberId) { V2Records = v2Members };
        var installer = new SnapshotInstaller(received, backendDir, lessor, clusterMembers, logger);
        membership.Reset(storage.Snapshot().Metadata?.ConfState ?? new ConfState());
        var leaseApplier = new LeaseApplier(lessor, TimeSpan.FromMilliseconds(config.ElectionMs), persistCheckpoints: false);
        var alarms = AlarmList.Load(backend);
        // Tokens live only in memory, as etcd's simple tokens do: a restart logs every client out.
        var auth = AuthStore.Load(backend, new SimpleTokens(TimeProvider.System, TimeSpan.FromSeconds(config.AuthTokenTtlSeconds)), logger);
        var appliedWaits = new AppliedIndexWaits(kv.ConsistentIndex);
        var applier = new EntryApplier(kv, backend, clusterMembers, waiters, logger, memberId, storage.Snapshot().Metadata?.ConfState ?? new ConfState(), leaseApplier)
        {
            Alarms = alarms,
            Membership = membership,
            SnapshotInstaller = installer,
            Auth = new AuthApplier(auth),
            AppliedWaits = appliedWaits,
            V2Store = v2Store,
            V2Requests = new V2.Apply.V2RequestApplier(v2Store),
            V2Members = v2Members,
        };
        var rawNode = new RawNode(new RaftConfig
        {
            Id = memberId,
            ElectionTick = config.ElectionTicks,
            HeartbeatTick = 1,
            Storage = storage,
            Applied = appliedFromSnapshot,
            MaxSizePerMsg = 1024 * 1024,
            MaxInflightMsgs = 512,
            MaxUncommittedEntriesSize = 1UL << 30,
            CheckQuorum = true,
            PreVote = config.PreVote,
            Random = new Random(),
            Logger = new RaftLogBridge(logger),
        });
        if (bootstrapPeers is not null) rawNode.Bootstrap(bootstrapPeers);

        EtcdServer? started = null;
        var transport = new PeerTransport(memberId, [.. config.InitialAdvertisePeerUrls.Select(u => u.OriginalString)], clusterMembers, () => started!.Backend, logger);
        foreach (var running in runningMembers) transport.AddRemote(running.Id, running.PeerUrls);
        var raft = new RaftNode(rawNode, storage, log, applier, transport, logger,
            TimeSpan.FromMilliseconds(config.HeartbeatMs), config.SnapshotCount, config.SnapshotCatchUpEntries, memberId);
        transport.Attach(raft);
        // A removed member stops (after a moment, so the change's own answer can still go out).
        void StopRemoved()
        {
            logger.Warn("server error", LogField.Of("error", new MemberRemovedException().Message));
            logger.Warn("data-dir used by this member must be removed");
            raft.Stop(new MemberRemovedException());
        }
        membership.LocalMemberRemoved += () => _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ => StopRemoved(), TaskScheduler.Default);
        transport.RemovedFromCluster += StopRemoved;
        var peerEndpoint = new PeerEndpoint(new PeerAdmission(memberId, clusterMembers, transport, logger),
            new SnapshotReceiver(received, memberId, logger), clusterMembers, raft);
        var peerHost = await PeerHost.StartAsync(config, peerEndpoint).ConfigureAwait(false);
        raft.LeaderChanged += leader => leaseApplier.OnLeadershipChanged(leader == memberId);
        // Expired leases are revoked as root (etcd's WithRoot): with auth on, revoking checks that
        // the proposer may write every key of the lease.
        var leaseExpiry = new LeaseExpiryLoop(lessor, (request, token) => started!.ProposeAsync(request, token,
            auth.Enabled ? new AuthInfo(AuthState.RootUser, auth.Revision) : null), logger, TimeProvider.System);
        // Fragments split at etcd's limit: the largest request plus gRPC's overhead allowance.
        var watches = new WatchHub(kv, revision => started!.Header(revision), (int)Math.Min(config.MaxRequestBytes + 512 * 1024, int.MaxValue),
            config.WatchProgressNotifyInterval, logger, TimeProvider.System);
        var v2Expiry = new V2.Apply.V2ExpiryLoop(v2Store, () => raft.IsLeader, (request, token) => started!.ProposeV2Async(request, token), logger, TimeProvider.System);
        var leaderCalls = new LeaderCalls(transport, clusterMembers, raft, EtcdServer.RequestTimeoutFor(config));
        var server = new EtcdServer(config, logger, backend, kv, raft, clusterMembers, waiters, [peerHost, transport, leaseExpiry, v2Expiry, watches, raft], [log, kv, backend, installer, leaderCalls])
        {
            Leases = lessor,
            LeaseRequests = new LeaseRequests(() => started!, leaderCalls),
            Watches = watches,
            Alarms = alarms,
            Auth = auth,
            Callers = new Callers(auth, appliedWaits, EtcdServer.RequestTimeoutFor(config)),
            MembershipChanges = new MembershipChanges(() => started!, transport),
            V2Store = v2Store,
            LeaderRequirement = new LeaderRequirement(raft, TimeSpan.FromMilliseconds(config.ElectionMs), TimeProvider.System),
        };
        started = server;
        installer.Installed += server.ReplaceStateMachine;
        // The received backend holds the v2 tree as of the snapshot.
        installer.Installed += (_, installed) =>
        {
            using var view = installed.Snapshot();
            V2.Store.V2StoreBucket.Load(view, v2Store);
        };
        // So do the alarms: one raised or disarmed in the entries the snapshot stands for counts here too.
        installer.Installed += (_, installed) => alarms.Reload(installed);
        peerEndpoint.MembershipChanges = server.MembershipChanges;
        peerEndpoint.Leases = server.LeaseRequests;
        var publisher = new MemberPublisher(server);
        raft.LeaderChanged += publisher.OnLeaderChanged;
        // The sole voter need not wait out an election timeout.
        var soleVoter = restarting
            ? clusterMembers.All.Count(m => !m.IsLearner) == 1 && clusterMembers.Find(memberId) is not null
            : bootstrapPeers?.Count == 1;
        if (soleVoter) raft.CampaignWhenCaughtUp();
        transport.ConnectAll();
        raft.Start();
        leaseExpiry.Start();
        v2Expiry.Start();
        watches.Start();
        return server;
    }
}
