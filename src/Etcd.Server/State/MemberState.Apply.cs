using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.State;
using Etcd.Server.V2.Store;
using Google.Protobuf;

namespace Etcd.Server.State;

/// <summary>
/// Applying committed entries. All entries of one Ready go into one backend batch together with
/// the applied index (so a crash keeps both or neither); their clients are answered only after
/// that batch is committed.
/// </summary>
public sealed partial class MemberState
{
    private readonly List<(ulong Id, ApplyResult Result)> _results = [];

    public void Apply(IReadOnlyList<Entry> entries, RawNode node)
    {
        var batch = Kv.BeginApply();
        ulong lastIndex = 0, lastTerm = 0;
        foreach (var entry in entries)
        {
            // Configuration changes always go to Raft, even when the backend already has the
            // entry: after a restart Raft rebuilds its configuration only from the log.
            var backendHasIt = entry.Index <= AppliedIndex;
#if PLANTED_BUGS
            if (Testing.PlantedBug.LastAppliedEntryAppliedAgain) backendHasIt = entry.Index < AppliedIndex;
#endif
            switch (entry.Type)
            {
                case EntryType.EntryNormal:
                    if (!backendHasIt && !entry.Data.IsEmpty) ApplyRequest(batch, Decode(entry.Data), entry.Index);
                    // A new leader's first entry: everything of earlier terms is applied now.
                    if (entry.Data.IsEmpty) LeaseApplier.EmptyEntryApplied();
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
        V2StoreBucket.Persist(batch, V2Store);
        if (lastIndex > AppliedIndex)
        {
            batch.SetConsistentIndex(lastIndex, lastTerm);
            AppliedIndex = lastIndex;
        }
        var committing = System.Diagnostics.Stopwatch.GetTimestamp();
        batch.Commit();
        Metrics.EtcdMetrics.BackendCommit.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(committing));
        AppliedWaits.Advance(AppliedIndex);
        LeaseApplier.Committed();
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
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Execute(batch, request, index);
        SlowApplyWarning.Check(_logger, _warningApplyDuration, started, request, result);
        _results.Add((id, result));
    }

    private ApplyResult Execute(ApplyBatch batch, InternalRaftRequest request, ulong index)
    {
        // etcd's corrupt applier: with CORRUPT raised nothing that changes keys or leases is applied.
        if (Alarms.IsRaised(AlarmType.Corrupt) && ChangesKeysOrLeases(request)) return ApplyResult.Failed(EtcdErrors.Corrupt);
        // etcd's capped applier: with NOSPACE raised only requests that can free space get through.
        if (Alarms.IsRaised(AlarmType.Nospace) && GrowsStore(request)) return ApplyResult.Failed(EtcdErrors.NoSpace);
        // With auth enabled, the identity the request was sent with must still be allowed to do it.
        if (Auth.Enabled && AuthApplier.Check(request, Kv) is { } refused) return ApplyResult.Failed(refused);
        ApplyResult result;
        try
        {
            result = request switch
            {
                { Alarm: { } alarm } => ApplyResult.Of(Alarms.Apply(batch, alarm)),
                { Put: { } put } => ApplyResult.Of(Counted(ref Metrics.EtcdMetrics.Puts, batch.Put(put))),
                { DeleteRange: { } delete } => ApplyResult.Of(Counted(ref Metrics.EtcdMetrics.Deletes, batch.DeleteRange(delete))),
                { Txn: { } txn } => ApplyResult.Of(Counted(ref Metrics.EtcdMetrics.Txns, batch.Txn(txn))),
                { Compaction: { } compaction } => ApplyResult.Of(batch.Compact(compaction)),
                { LeaseGrant: { } grant } => ApplyResult.Of(LeaseApplier.Grant(batch, grant)),
                { LeaseRevoke: { } revoke } => ApplyResult.Of(LeaseApplier.Revoke(batch, revoke)),
                { LeaseCheckpoint: { } checkpoint } => ApplyResult.Of(LeaseApplier.Checkpoint(batch, checkpoint)),
                { ClusterMemberAttrSet: { } attributes } => ApplyMemberAttributes(batch, attributes),
                { ClusterVersionSet: { } version } => ApplyClusterVersion(batch, version.Ver),
                { V2: { } v2 } => ApplyResult.OfV2(V2Requests.Apply(v2)),
                _ when AuthApplier.Apply(batch, request, index) is { } response => ApplyResult.Of(response),
                _ => ApplyResult.Failed(EtcdErrors.NotSupportedYet),
            };
        }
        catch (MvccException e)
        {
            result = ApplyResult.Failed(MvccErrors.ToEtcd(e));
        }
        catch (EtcdException e)
        {
            // etcd's errors for a request that changes nothing (a lease that exists already, ...).
            result = ApplyResult.Failed(e);
        }
        return result;
    }

    private static bool ChangesKeysOrLeases(InternalRaftRequest request) =>
        request.Put is not null || request.DeleteRange is not null || request.Txn is not null || request.Compaction is not null
        || request.LeaseGrant is not null || request.LeaseRevoke is not null;

    private static bool GrowsStore(InternalRaftRequest request) =>
        request.Put is not null || request.LeaseGrant is not null || (request.Txn is { } txn && BackendQuota.Cost(txn) > 0);

    private ApplyResult ApplyMemberAttributes(ApplyBatch batch, Etcd.Api.Membershippb.ClusterMemberAttrSetRequest request)
    {
        Members.SetAttributes(request.MemberID, request.MemberAttributes.Name, [.. request.MemberAttributes.ClientUrls]);
        if (Members.Find(request.MemberID) is { } member)
        {
            MemberBuckets.Save(batch, member);
            V2Members.AttributesSet(member);
        }
        return ApplyResult.Of(new EmptyResponse());
    }

    private ApplyResult ApplyClusterVersion(ApplyBatch batch, string version)
    {
        var first = Members.ClusterVersion is null;
        Members.ClusterVersion = version;
        MemberBuckets.SaveClusterVersion(batch, version);
        V2Members.ClusterVersionSet(version);
        if (first)
        {
            _logger.Info("set initial cluster version", LogField.Id("cluster-id", Members.ClusterId), LogField.Id("local-member-id", _localId), LogField.Of("cluster-version", MajorMinor(version)));
            _logger.Info("enabled capabilities for version", LogField.Of("cluster-version", MajorMinor(version)));
        }
        return ApplyResult.Of(new EmptyResponse());
    }

    private static string MajorMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    // etcd_mvcc_put_total and its kin count what every member applies.
    private static T Counted<T>(ref long counter, T response)
    {
        Interlocked.Increment(ref counter);
        return response;
    }
}
