using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;

namespace Etcd.Server.Leases;

/// <summary>
/// Applies the lease entries of the Raft log: grant, revoke and checkpoint change the lessor and
/// write the lease bucket in the entry's apply batch, so lease state and keys commit together.
/// Also promotes the lessor when the leader applies the first (empty) entry of its term.
/// </summary>
/// <remarks>Called on the apply loop only.</remarks>
public sealed class LeaseApplier(Lessor lessor, TimeSpan promotionExtension, bool persistCheckpoints)
{
    private readonly List<Lease> _revoked = [];
    private bool _leader;

    /// <summary>The Raft loop reports who leads; a member that stops leading stops counting leases down at once.</summary>
    public void OnLeadershipChanged(bool isLeader)
    {
        _leader = isLeader;
        if (!isLeader) lessor.Demote();
    }

    /// <summary>
    /// An empty entry was applied: a new leader appends one when its term starts, so once it is
    /// applied everything from earlier terms is too, and the lessor may take over (etcd's Promote).
    /// </summary>
    public void EmptyEntryApplied()
    {
        if (_leader) lessor.Promote(promotionExtension);
    }

    public LeaseGrantResponse Grant(ApplyBatch batch, LeaseGrantRequest request)
    {
        var lease = lessor.Grant(request.ID, request.TTL);
        Persist(batch, lease);
        return new LeaseGrantResponse { Header = new ResponseHeader { Revision = batch.Revision }, ID = lease.Id, TTL = lease.Ttl };
    }

    /// <summary>Deletes the lease's keys in one revision and its record, in the same batch.</summary>
    public LeaseRevokeResponse Revoke(ApplyBatch batch, LeaseRevokeRequest request)
    {
        var lease = lessor.Remove(request.ID) ?? throw Api.EtcdErrors.LeaseNotFound;
        batch.DeleteKeysOfLease(lease.Id);
        batch.DeleteLeaseRecord(lease.Id);
        _revoked.Add(lease);
        return new LeaseRevokeResponse { Header = new ResponseHeader { Revision = batch.Revision } };
    }

    public LeaseCheckpointResponse Checkpoint(ApplyBatch batch, LeaseCheckpointRequest request)
    {
        foreach (var checkpoint in request.Checkpoints)
        {
            var lease = lessor.Checkpoint(checkpoint.ID, checkpoint.RemainingTTL);
            if (lease is not null && persistCheckpoints) Persist(batch, lease);
        }
        return new LeaseCheckpointResponse { Header = new ResponseHeader { Revision = batch.Revision } };
    }

    /// <summary>The batch is committed: keep-alives waiting on revoked leases may now answer.</summary>
    public void Committed()
    {
        foreach (var lease in _revoked) lease.Revoked.TrySetResult();
        _revoked.Clear();
    }

    private static void Persist(ApplyBatch batch, Lease lease)
    {
        Span<byte> record = stackalloc byte[LeaseRecord.MaxSize];
        var length = new LeaseRecord(lease.Id, lease.Ttl, lease.CheckpointedTtl).Write(record);
        batch.PutLeaseRecord(lease.Id, record[..length]);
    }
}
