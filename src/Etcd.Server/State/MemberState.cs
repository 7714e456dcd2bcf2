using Etcd.Mvcc;
using Etcd.Raft.Raftpb;
using Etcd.Server.Authentication;
using Etcd.Server.Core;
using Etcd.Server.Leases;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Replication;
using Etcd.Server.State;
using Etcd.Server.V2.Store;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Server.State;

/// <summary>What a member's replicated state is made with, besides its backend.</summary>
public sealed record MemberStateSettings
{
    public required ulong LocalId { get; init; }
    public required ulong ClusterId { get; init; }
    public required TimeProvider Time { get; init; }
    public required ZapLogger Logger { get; init; }

    /// <summary>The shortest TTL a lease gets (etcd's minimum: enough for a leader to be elected).</summary>
    public required long LeaseMinTtl { get; init; }

    /// <summary>How often the leader records remaining TTLs through Raft; null when checkpointing is off.</summary>
    public TimeSpan? LeaseCheckpointInterval { get; init; }

    /// <summary>Checkpoints are written to the lease bucket too (etcd 3.5's lease-checkpoint-persist).</summary>
    public bool PersistLeaseCheckpoints { get; init; }

    /// <summary>How long a new leader extends every lease by when it takes over (an election timeout).</summary>
    public required TimeSpan LeasePromotionExtension { get; init; }

    /// <summary>An apply longer than this is logged and counted (--experimental-warning-apply-duration).</summary>
    public TimeSpan WarningApplyDuration { get; init; } = SlowApplyWarning.DefaultThreshold;

    /// <summary>The tokens issued by Authenticate entries.</summary>
    public required SimpleTokens Tokens { get; init; }

    /// <summary>The signer and verifier of --auth-token jwt; null for simple tokens.</summary>
    public Authentication.JwtTokens? Jwt { get; init; }

    /// <summary>Physical compaction on the applying thread instead of in the background (the simulator's choice).</summary>
    public bool CompactInline { get; init; }
}

/// <summary>
/// Everything a member replicates, in one place: the key-value store and its backend, leases,
/// auth, alarms, membership, the v2 tree and the applied index. It opens from the member's backend
/// files, applies committed entries (MemberState.Apply.cs), and becomes a leader's snapshot in one
/// step (<see cref="Restore"/>, etcd's applySnapshot). Every part is one object for the member's
/// whole life, restored in place, so whoever reads through one (services, watches, metrics,
/// maintenance) can never hold a stale copy; the backend is one <see cref="ReplaceableBackend"/>
/// whose replaced engines close only when their last reader is done.
/// </summary>
/// <remarks>Changed on the apply loop only; read from any thread through the parts' own guarantees.</remarks>
public sealed partial class MemberState : IStateMachine, IDisposable
{
    private readonly IBackendFiles _files;
    private readonly ProposalWaiters _waiters;
    private readonly ZapLogger _logger;
    private readonly TimeSpan _warningApplyDuration;
    private readonly ulong _localId;

    /// <summary>Opens the state the member's backend holds; <paramref name="confState"/> is Raft's as of the snapshot it starts from.</summary>
    public MemberState(IBackendFiles files, ulong snapshotIndex, ConfState confState, ProposalWaiters waiters, MemberStateSettings settings)
    {
        _files = files;
        _waiters = waiters;
        _logger = settings.Logger;
        _warningApplyDuration = settings.WarningApplyDuration;
        _localId = settings.LocalId;
        Backend = new ReplaceableBackend(files.OpenCurrent(snapshotIndex));
        // Leases live in the backend and come back on restart.
        Leases = new Lessor(settings.Time, settings.LeaseMinTtl, settings.LeaseCheckpointInterval);
        LeaseApplier = new LeaseApplier(Leases, settings.LeasePromotionExtension, settings.PersistLeaseCheckpoints);
        Kv = new KvStore(Backend, Leases, compactInline: settings.CompactInline);
        Members = new ClusterMembers(settings.ClusterId);
        // etcd 3.4 keeps the v2 store whether or not --enable-v2 serves it: member changes are
        // recorded in it too, so its index stays etcd's when the API is turned on later.
        V2Store = new V2Store(settings.Time, "/0", "/1");
        V2Members = new V2.Apply.V2MemberRecords(V2Store);
        V2Requests = new V2.Apply.V2RequestApplier(V2Store);
        Membership = new MembershipApplier(Members, _logger, _localId) { V2Records = V2Members };
        Alarms = AlarmList.Load(Backend);
        // Tokens live only in memory, as etcd's simple tokens do: a restart logs every client out.
        Auth = AuthStore.Load(Backend, settings.Tokens, _logger, settings.Jwt);
        AuthApplier = new AuthApplier(Auth);
        LoadFromBackend();
        ConfState = confState;
        Membership.Reset(confState);
        AppliedIndex = Kv.ConsistentIndex;
        AppliedWaits = new AppliedIndexWaits(AppliedIndex);
    }

    /// <summary>The member's backend for its whole life; its engine changes when a snapshot is installed.</summary>
    public ReplaceableBackend Backend { get; }

    public KvStore Kv { get; }

    /// <summary>The leases (replicated state plus, on the leader, their countdown).</summary>
    public Lessor Leases { get; }

    /// <summary>Applies lease entries; told by the Raft loop who leads.</summary>
    public LeaseApplier LeaseApplier { get; }

    /// <summary>Users, roles, permissions and whether auth is enabled.</summary>
    public AuthStore Auth { get; }

    /// <summary>Requests waiting for an index to be applied (a token's Authenticate entry).</summary>
    public AppliedIndexWaits AppliedWaits { get; }

    /// <summary>The cluster's active alarms (NOSPACE refuses writes that grow the store).</summary>
    public AlarmList Alarms { get; }

    public ClusterMembers Members { get; }

    /// <summary>Applies configuration changes to Raft, the member list and the backend.</summary>
    public MembershipApplier Membership { get; }

    /// <summary>The v2 key tree.</summary>
    public V2Store V2Store { get; }

    public ulong AppliedIndex { get; private set; }

    public ConfState ConfState { get; private set; }

    private AuthApplier AuthApplier { get; }

    private V2.Apply.V2MemberRecords V2Members { get; }

    private V2.Apply.V2RequestApplier V2Requests { get; }

    /// <summary>
    /// The leader sent a snapshot: the state becomes the backend received with it, which holds
    /// exactly the state as of the snapshot's index (members, leases, auth, alarms, the v2 tree
    /// included). Raft has persisted the snapshot already; a crash from here on starts from it.
    /// </summary>
    public void Restore(Snapshot snapshot)
    {
        var index = snapshot.Metadata.Index;
        _logger.Info("applying snapshot", LogField.Of("incoming-leader-snapshot-index", index), LogField.Of("incoming-leader-snapshot-term", snapshot.Metadata.Term));
        var received = _files.OpenReceived(index);
        // Readers of the store wait from the swap until the index is rebuilt; readers of the old
        // engine that were there first read on from it, and it closes when they are done.
        Kv.Restore(() => _files.Retire(Backend.Replace(received)));
        LoadFromBackend();
        AppliedIndex = Kv.ConsistentIndex;
        ConfState = snapshot.Metadata.ConfState;
        Membership.Reset(ConfState);
        AppliedWaits.Advance(AppliedIndex);
        _logger.Info("restored snapshot", LogField.Of("snapshot-index", index), LogField.Of("consistent-index", Kv.ConsistentIndex),
            LogField.Of("current-revision", Kv.CurrentRevision));
    }

    /// <summary>The parts kept beside the key space, as the backend holds them now.</summary>
    private void LoadFromBackend()
    {
        using (var view = Backend.Snapshot())
        {
            Leases.Recover(view);
            var (members, removed, clusterVersion) = MemberBuckets.Load(view);
            Members.Reset(members, removed, clusterVersion);
            Auth.Recover(view);
            V2StoreBucket.Load(view, V2Store);
        }
        Alarms.Reload(Backend);
    }

    public ByteString SnapshotData() => ByteString.Empty;

    /// <summary>
    /// A synced commit makes every earlier unsynced commit durable too (the backend's contract),
    /// so one small synced write flushes all that was applied.
    /// </summary>
    public void Flush()
    {
        using var batch = Backend.CreateBatch();
        batch.Put(Bucket.Meta, "flushedIndex"u8, BitConverter.GetBytes(AppliedIndex));
        Backend.Commit(batch, sync: true);
    }

    public void Dispose()
    {
        Kv.Dispose();
        Backend.Dispose();
    }
}
