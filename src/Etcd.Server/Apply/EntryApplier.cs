using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Leases;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Raft;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Server.Apply;

/// <summary>
/// Applies committed entries to the key-value store and the member list. All entries of one
/// Ready go into one backend batch together with the applied index (so a crash keeps both or
/// neither); their clients are answered only after that batch is committed.
/// </summary>
public sealed class EntryApplier : IEntryApplier
{
    // Replaced when a snapshot from the leader is installed.
    private KvStore _kv;
    private IBackend _backend;
    private readonly ClusterMembers _members;
    private readonly ProposalWaiters _waiters;
    private readonly ZapLogger _logger;
    private readonly ulong _localId;
    private readonly List<(ulong Id, ApplyResult Result)> _results = [];
    private readonly LeaseApplier? _leases;

    public EntryApplier(KvStore kv, IBackend backend, ClusterMembers members, ProposalWaiters waiters, ZapLogger logger, ulong localId, ConfState confState,
        LeaseApplier? leases = null)
    {
        _leases = leases;
        _kv = kv;
        _backend = backend;
        ConfState = confState;
        _members = members;
        _waiters = waiters;
        _logger = logger;
        _localId = localId;
        AppliedIndex = kv.ConsistentIndex;
    }

    public ulong AppliedIndex { get; private set; }

    /// <summary>The alarm list that Alarm entries change; with NOSPACE raised, writes that grow the store fail.</summary>
    public AlarmList? Alarms { get; init; }

    public ConfState ConfState { get; private set; }

    /// <summary>The auth store's entries and, while auth is enabled, the permission checks of every request.</summary>
    public Authentication.AuthApplier? Auth { get; init; }

    /// <summary>Requests waiting for an index to be applied (a token's Authenticate entry).</summary>
    public Authentication.AppliedIndexWaits? AppliedWaits { get; init; }

    /// <summary>Applies configuration changes to Raft, the member list and the backend.</summary>
    public required MembershipApplier Membership { get; init; }

    /// <summary>Swaps in the backend that came with a snapshot from the leader.</summary>
    public required Peers.ISnapshotInstaller SnapshotInstaller { get; init; }

    /// <summary>The v2 store, changed by v2 requests and member changes and saved in each apply batch.</summary>
    public V2.Store.V2Store? V2Store { get; init; }

    /// <summary>Applies v2 requests (present whenever <see cref="V2Store"/> is).</summary>
    public V2.Apply.V2RequestApplier? V2Requests { get; init; }

    /// <summary>The member list as etcd 3.4 mirrors it in the v2 store.</summary>
    public V2.Apply.V2MemberRecords? V2Members { get; init; }

    /// <summary>Raised after the cluster version is first set (etcd logs its capabilities then).</summary>
    public event Action<string>? ClusterVersionSet;

    public void Apply(IReadOnlyList<Entry> entries, RawNode node)
    {
        var batch = _kv.BeginApply();
        ulong lastIndex = 0, lastTerm = 0;
        foreach (var entry in entries)
        {
            // Configuration changes always go to Raft, even when the backend already has the
            // entry: after a restart Raft rebuilds its configuration only from the log.
            var backendHasIt = entry.Index <= AppliedIndex;
            switch (entry.Type)
            {
                case EntryType.EntryNormal:
                    if (!backendHasIt && !entry.Data.IsEmpty) ApplyRequest(batch, Decode(entry.Data), entry.Index);
                    // A new leader's first entry: everything of earlier terms is applied now.
                    if (entry.Data.IsEmpty) _leases?.EmptyEntryApplied();
                    break;
                case EntryType.EntryConfChange:
                    var change = ConfChange.Parser.ParseFrom(entry.Data);
                    (ConfState, var outcome) = Membership.Apply(batch, change, node, backendHasIt);
                    // The proposer waits on the change's id (etcd's configure()).
                    if (!backendHasIt && change.Id != 0) _results.Add((change.Id, outcome));
                    break;
                case EntryType.EntryConfChangeV2:
                    // This server proposes single changes only (as etcd 3.4/3.5 do); a joint
                    // change still reaches Raft so the log stays applicable.
                    ConfState = node.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(entry.Data));
                    break;
            }
            lastIndex = entry.Index;
            lastTerm = entry.Term;
        }
        // The v2 nodes these entries changed go into the same batch as the applied index.
        if (V2Store is not null) V2.Store.V2StoreBucket.Persist(batch, V2Store);
        if (lastIndex > AppliedIndex)
        {
            batch.SetConsistentIndex(lastIndex, lastTerm);
            AppliedIndex = lastIndex;
        }
        batch.Commit();
        AppliedWaits?.Advance(AppliedIndex);
        _leases?.Committed();
        foreach (var (id, result) in _results) _waiters.Complete(id, result);
        _results.Clear();
    }

    // The proposer still holds the request it encoded into this entry; decoding the entry again
    // would build an equal object (about 15% of the bytes a put allocated).
    private InternalRaftRequest Decode(ByteString data) =>
        _waiters.ProposedRequest(RequestIdReader.Read(data.Span)) ?? InternalRaftRequest.Parser.ParseFrom(data);

    private void ApplyRequest(ApplyBatch batch, InternalRaftRequest request, ulong index)
    {
        var id = request.Header?.ID ?? request.ID;
        // etcd's capped applier: with NOSPACE raised only requests that can free space get through.
        if (Alarms is not null && Alarms.IsRaised(AlarmType.Nospace) && GrowsStore(request))
        {
            _results.Add((id, ApplyResult.Failed(EtcdErrors.NoSpace)));
            return;
        }
        // With auth enabled, the identity the request was sent with must still be allowed to do it.
        if (Auth is { Store.Enabled: true } && Auth.Check(request, _kv) is { } refused)
        {
            _results.Add((id, ApplyResult.Failed(refused)));
            return;
        }
        ApplyResult result;
        try
        {
            result = request switch
            {
                { Alarm: { } alarm } when Alarms is not null => ApplyResult.Of(Alarms.Apply(batch, alarm)),
                { Put: { } put } => ApplyResult.Of(batch.Put(put)),
                { DeleteRange: { } delete } => ApplyResult.Of(batch.DeleteRange(delete)),
                { Txn: { } txn } => ApplyResult.Of(batch.Txn(txn)),
                { Compaction: { } compaction } => ApplyResult.Of(batch.Compact(compaction)),
                { LeaseGrant: { } grant } when _leases is not null => ApplyResult.Of(_leases.Grant(batch, grant)),
                { LeaseRevoke: { } revoke } when _leases is not null => ApplyResult.Of(_leases.Revoke(batch, revoke)),
                { LeaseCheckpoint: { } checkpoint } when _leases is not null => ApplyResult.Of(_leases.Checkpoint(batch, checkpoint)),
                { ClusterMemberAttrSet: { } attributes } => ApplyMemberAttributes(batch, attributes),
                { ClusterVersionSet: { } version } => ApplyClusterVersion(batch, version.Ver),
                { V2: { } v2 } when V2Requests is not null => ApplyResult.OfV2(V2Requests.Apply(v2)),
                _ when Auth?.Apply(batch, request, index) is { } response => ApplyResult.Of(response),
                _ => ApplyResult.Failed(new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unimplemented, "etcdserver: request not supported by this server yet"))),
            };
        }
        catch (MvccException e)
        {
            result = ApplyResult.Failed(MvccErrors.ToRpc(e));
        }
        catch (Grpc.Core.RpcException e)
        {
            // etcd's errors for a request that changes nothing (a lease that exists already, ...).
            result = ApplyResult.Failed(e);
        }
        _results.Add((id, result));
    }

    private static bool GrowsStore(InternalRaftRequest request) =>
        request.Put is not null || request.LeaseGrant is not null || (request.Txn is { } txn && BackendQuota.Cost(txn) > 0);

    private ApplyResult ApplyMemberAttributes(ApplyBatch batch, Etcd.Api.Membershippb.ClusterMemberAttrSetRequest request)
    {
        _members.SetAttributes(request.MemberID, request.MemberAttributes.Name, [.. request.MemberAttributes.ClientUrls]);
        if (_members.Find(request.MemberID) is { } member)
        {
            MemberBuckets.Save(batch, member);
            V2Members?.AttributesSet(member);
        }
        return ApplyResult.Of(new EmptyResponse());
    }

    private ApplyResult ApplyClusterVersion(ApplyBatch batch, string version)
    {
        var first = _members.ClusterVersion is null;
        _members.ClusterVersion = version;
        MemberBuckets.SaveClusterVersion(batch, version);
        V2Members?.ClusterVersionSet(version);
        if (first)
        {
            _logger.Info("set initial cluster version", LogField.Id("cluster-id", _members.ClusterId), LogField.Id("local-member-id", _localId), LogField.Of("cluster-version", MajorMinor(version)));
            _logger.Info("enabled capabilities for version", LogField.Of("cluster-version", MajorMinor(version)));
        }
        ClusterVersionSet?.Invoke(version);
        return ApplyResult.Of(new EmptyResponse());
    }

    private static string MajorMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    /// <summary>
    /// The leader sent a snapshot: the state machine becomes the backend received with it, which
    /// holds exactly the state as of the snapshot's index (members and leases included).
    /// </summary>
    public void Restore(Etcd.Raft.Raftpb.Snapshot snapshot)
    {
        (_kv, _backend) = SnapshotInstaller.Install(snapshot, _kv, _backend);
        using (var view = _backend.Snapshot()) Auth?.Store.Recover(view);
        AppliedIndex = _kv.ConsistentIndex;
        ConfState = snapshot.Metadata.ConfState;
        Membership.Reset(ConfState);
    }

    public ByteString SnapshotData() => ByteString.Empty;

    /// <summary>
    /// A synced commit makes every earlier unsynced commit durable too (the backend's contract),
    /// so one small synced write flushes all that was applied.
    /// </summary>
    public void Flush()
    {
        using var batch = _backend.CreateBatch();
        batch.Put(Bucket.Meta, "flushedIndex"u8, BitConverter.GetBytes(AppliedIndex));
        _backend.Commit(batch, sync: true);
    }
}
