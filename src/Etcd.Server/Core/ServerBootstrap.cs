using Etcd.Raft;
using Etcd.Server.Authentication;
using Etcd.Server.Configuration;
using Etcd.Server.Leases;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Peers;
using Etcd.Server.Replication;
using Etcd.Server.State;
using Etcd.Server.Watch;

namespace Etcd.Server.Core;

/// <summary>
/// Starts a member, in four steps: its Raft log (recovered from the data dir, or created for a
/// first start from --initial-cluster), its replicated state (<see cref="MemberState"/>, opened
/// from the backend), its Raft node and Ready loop (<see cref="MemberRaft"/>, as the simulator
/// builds them too), and the services around them (peers, leases, watches, the v2 expiry).
/// </summary>
public static class ServerBootstrap
{
    public static async Task<EtcdServer> StartAsync(EtcdConfig config, ZapLogger logger)
    {
        // Checked before the data dir is touched, as etcd checks it before it starts the server.
        Compaction.CompactionRetention retention;
        try
        {
            retention = Compaction.CompactionRetention.Parse(config.AutoCompactionMode, config.AutoCompactionRetention);
        }
        catch (FormatException e)
        {
            throw new BootstrapException(e.Message);
        }
        var layout = new DataDirLayout(config);
        // Certificates first: a member that cannot serve the TLS it was asked for starts nothing.
        var tls = Tls.MemberTls.Create(config, logger);
        var channels = new PeerChannels(tls.PeerCaller);
        var log = await OpenLogAsync(config, layout, channels, logger).ConfigureAwait(false);
        var waiters = new ProposalWaiters();
        var state = OpenState(config, layout, log, waiters, logger);
        return await StartServicesAsync(config, logger, log, state, waiters, tls, channels, retention).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 1: the WAL. A restarting member recovers its identity, newest snapshot and the entries
    /// after it; a new one is checked (and, when joining, the running cluster asked) before
    /// anything is written, so a refused start leaves no log behind.
    /// </summary>
    private static async Task<StartingLog> OpenLogAsync(EtcdConfig config, DataDirLayout layout, PeerChannels channels, ZapLogger logger)
    {
        // Checked before anything is read or written: etcd's WAL files look like ours by name.
        if (EtcdWrittenDataDir.Is(config.DataDir)) throw new BootstrapException(EtcdWrittenDataDir.Explain(config.DataDir));
        var restarting = WalRaftLog.Exists(layout.WalDir);
        logger.Info("starting an etcd server", LogField.Of("etcd-version", EtcdServer.Version), LogField.Of("name", config.Name),
            LogField.Of("data-dir", config.DataDir), LogField.Of("member-initialized", restarting),
            LogField.Of("initial-cluster", config.InitialCluster), LogField.Of("initial-cluster-state", config.InitialClusterState));
        Directory.CreateDirectory(layout.SnapDir);
        if (restarting)
        {
            var recovered = WalRaftLog.Open(layout.WalDir, layout.SnapDir, !config.UnsafeNoFsync, (int)config.MaxSnapshots);
            recovered.Log.Logger = logger;
            logger.Info("restarting local member", LogField.Id("cluster-id", recovered.Metadata.ClusterID), LogField.Id("local-member-id", recovered.Metadata.NodeID),
                LogField.Of("commit-index", recovered.HardState?.Commit ?? 0));
            return new StartingLog(recovered.Log, recovered.Metadata.NodeID, recovered.Metadata.ClusterID, recovered.Recovery, null, []);
        }
        var first = await FirstStart.PlanAsync(config, channels, logger).ConfigureAwait(false);
        var created = WalRaftLog.Create(layout.WalDir, layout.SnapDir, new Etcd.Api.Etcdserverpb.Metadata { NodeID = first.MemberId, ClusterID = first.ClusterId },
            !config.UnsafeNoFsync, (int)config.MaxSnapshots);
        created.Logger = logger;
        return new StartingLog(created, first.MemberId, first.ClusterId, RecoveredLog.Empty, first.BootstrapPeers, first.RunningMembers);
    }

    /// <summary>Step 2: the replicated state, as the backend holds it (a backend received with the snapshot recovered from included).</summary>
    private static MemberState OpenState(EtcdConfig config, DataDirLayout layout, StartingLog log, ProposalWaiters waiters, ZapLogger logger)
    {
        var files = new RocksDbBackendFiles(new ReceivedBackends(layout.SnapDir), logger);
        var snapshot = log.Recovery.Snapshot?.Metadata;
        return new MemberState(files, snapshot?.Index ?? 0, snapshot?.ConfState ?? new Etcd.Raft.Raftpb.ConfState(), waiters, new MemberStateSettings
        {
            LocalId = log.MemberId,
            ClusterId = log.ClusterId,
            Time = TimeProvider.System,
            Logger = logger,
            LeaseMinTtl = Lessor.MinTtlFor(config.ElectionTicks, config.HeartbeatMs),
            // With checkpointing on, the leader records remaining TTLs through Raft every 5 minutes (etcd's interval).
            LeaseCheckpointInterval = config.LeaseCheckpoint ? TimeSpan.FromMinutes(5) : null,
            PersistLeaseCheckpoints = config.LeaseCheckpointPersist,
            LeasePromotionExtension = TimeSpan.FromMilliseconds(config.ElectionMs),
            Tokens = new SimpleTokens(TimeProvider.System, TimeSpan.FromSeconds(config.AuthTokenTtlSeconds)),
            Jwt = AuthTokenOption.JwtOf(config.AuthToken, TimeProvider.System),
            WarningApplyDuration = config.WarningApplyDuration,
        });
    }

    /// <summary>Step 3 and 4: the Raft node and its loop, the peer transport, and everything that serves clients.</summary>
    private static async Task<EtcdServer> StartServicesAsync(EtcdConfig config, ZapLogger logger, StartingLog log, MemberState state, ProposalWaiters waiters,
        Tls.MemberTls tls, PeerChannels channels, Compaction.CompactionRetention retention)
    {
        var memberId = log.MemberId;
        EtcdServer? started = null;
        var transport = new PeerTransport(memberId, [.. config.InitialAdvertisePeerUrls.Select(u => u.OriginalString)], state.Members, () => state.Backend, logger, channels);
        foreach (var running in log.RunningMembers) transport.AddRemote(running.Id, running.PeerUrls);
        var raft = MemberRaft.Create(new MemberRaftSettings
        {
            MemberId = memberId,
            ElectionTicks = config.ElectionTicks,
            PreVote = config.PreVote,
            SnapshotCount = config.SnapshotCount,
            SnapshotCatchUpEntries = config.SnapshotCatchUpEntries,
            Random = new Random(),
        }, log.Log, log.Recovery, log.BootstrapPeers, state, transport, logger);
        var node = new RaftNode(raft.Node, raft.Readies, state, logger, TimeSpan.FromMilliseconds(config.HeartbeatMs));
        transport.Attach(node);

        // A removed member stops (after a moment, so the change's own answer can still go out).
        void StopRemoved()
        {
            logger.Warn("server error", LogField.Of("error", new MemberRemovedException().Message));
            logger.Warn("data-dir used by this member must be removed");
            node.Stop(new MemberRemovedException());
        }
        state.Membership.LocalMemberRemoved += () => _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ => StopRemoved(), TaskScheduler.Default);
        transport.RemovedFromCluster += StopRemoved;
        var peerEndpoint = new PeerEndpoint(new PeerAdmission(memberId, state.Members, transport, logger),
            new SnapshotReceiver(new ReceivedBackends(new DataDirLayout(config).SnapDir), memberId, logger), state.Members, node, state.Kv);
        peerEndpoint.Admission.Messages.JoiningCluster(log.RunningMembers.Select(m => m.Id));
        var peerHost = await PeerHost.StartAsync(config, peerEndpoint, tls.Peer).ConfigureAwait(false);
        node.LeaderChanged += leader => state.LeaseApplier.OnLeadershipChanged(leader == memberId);
        node.LeaderChanged += Metrics.EtcdMetrics.LeaderSeen;
        // Expired leases are revoked as root (etcd's WithRoot): with auth on, revoking checks that
        // the proposer may write every key of the lease.
        var leaseExpiry = new LeaseExpiryLoop(state.Leases, (request, token) => started!.ProposeAsync(request, token,
            state.Auth.Enabled ? new AuthInfo(AuthState.RootUser, state.Auth.Revision) : null), logger, TimeProvider.System);
        // Fragments split at etcd's limit: the largest request plus gRPC's overhead allowance.
        var watches = new WatchHub(state.Kv, revision => started!.Header(revision), (int)Math.Min(config.MaxRequestBytes + 512 * 1024, int.MaxValue),
            config.WatchProgressNotifyInterval, logger, TimeProvider.System);
        var v2Expiry = new V2.Apply.V2ExpiryLoop(state.V2Store, () => node.IsLeader, (request, token) => started!.ProposeV2Async(request, token), logger, TimeProvider.System);
        var leaderCalls = new LeaderCalls(transport, state.Members, node, EtcdServer.RequestTimeoutFor(config));
        // Its first step comes one interval after the start, when the server below exists.
        var compaction = Compaction.AutoCompaction.Start(retention, new Compaction.ServerCompactionTarget(() => started!), TimeProvider.System, logger);
        var corruptCheck = Corruption.PeriodicCorruptCheck.Start(config.CorruptCheckTime, memberId, () => started!, TimeProvider.System, logger);
        var owned = new List<IAsyncDisposable>(8);
        if (compaction is not null) owned.Add(compaction);
        if (corruptCheck is not null) owned.Add(corruptCheck);
        owned.AddRange([peerHost, transport, leaseExpiry, v2Expiry, watches, node]);
        var server = new EtcdServer(config, logger, state, node, waiters, [.. owned], [log.Log, state, leaderCalls])
        {
            Tls = tls,
            LeaseRequests = new LeaseRequests(() => started!, leaderCalls),
            AuthenticateRequests = new AuthenticateRequests(() => started!, leaderCalls),
            Watches = watches,
            Callers = new Callers(state.Auth, state.AppliedWaits, EtcdServer.RequestTimeoutFor(config)) { CommonNameIsUser = tls.ClientCertAuth },
            MembershipChanges = new MembershipChanges(() => started!, transport),
            PeerHashes = new Corruption.PeerHashes(transport, state.Members, EtcdServer.RequestTimeoutFor(config), logger),
            LeaderRequirement = new LeaderRequirement(node, TimeSpan.FromMilliseconds(config.ElectionMs), TimeProvider.System),
        };
        started = server;
        peerEndpoint.MembershipChanges = server.MembershipChanges;
        peerEndpoint.Leases = server.LeaseRequests;
        peerEndpoint.Authenticate = server.AuthenticateRequests;
        peerEndpoint.Callers = server.Callers;
        var publisher = new MemberPublisher(server);
        node.LeaderChanged += publisher.OnLeaderChanged;
        // The sole voter need not wait out an election timeout.
        var soleVoter = log.BootstrapPeers is null
            ? state.Members.All.Count(m => !m.IsLearner) == 1 && state.Members.Find(memberId) is not null
            : log.BootstrapPeers.Count == 1;
        if (soleVoter) node.CampaignWhenCaughtUp();
        transport.ConnectAll();
        node.Start();
        leaseExpiry.Start();
        v2Expiry.Start();
        watches.Start();
        return server;
    }

    /// <summary>The Raft log a member starts with, and who it is.</summary>
    /// <param name="BootstrapPeers">The members Raft starts with (a new cluster's first start); null otherwise.</param>
    /// <param name="RunningMembers">The running cluster's members when joining it, so the transport reaches them before the log names them.</param>
    private sealed record StartingLog(WalRaftLog Log, ulong MemberId, ulong ClusterId, RecoveredLog Recovery,
        IReadOnlyList<Peer>? BootstrapPeers, IReadOnlyList<Member> RunningMembers);
}
