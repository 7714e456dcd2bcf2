namespace Etcd.Server.Leases;

/// <summary>
/// One granted lease. The TTLs are replicated state (set by applied entries); the expiry is
/// the primary lessor's own clock reading and means nothing on other members.
/// </summary>
public sealed class Lease
{
    /// <summary>An expiry that never comes: leases do not expire on a member that is not the primary.</summary>
    internal const long Forever = long.MaxValue;

    internal Lease(long id, long ttl, long remainingTtl)
    {
        Id = id;
        Ttl = ttl;
        CheckpointedTtl = remainingTtl;
    }

    public long Id { get; }

    /// <summary>The granted time to live in seconds (at least the lessor's minimum).</summary>
    public long Ttl { get; }

    /// <summary>The remaining TTL a checkpoint recorded, 0 when none did (then the whole TTL counts).</summary>
    public long CheckpointedTtl { get; internal set; }

    /// <summary>Seconds a refresh grants: the checkpointed remainder if there is one, else the whole TTL.</summary>
    public long RefreshTtl => CheckpointedTtl > 0 ? CheckpointedTtl : Ttl;

    /// <summary>When the lease expires, in <see cref="TimeProvider.GetTimestamp"/> units; <see cref="Forever"/> when not counting down.</summary>
    internal long ExpiresAt { get; set; } = Forever;

    /// <summary>The expiry its entry in the lessor's expiry queue carries; 0 when it has none.</summary>
    internal long QueuedAt { get; set; }

    /// <summary>Completes once the lease's revocation is applied and committed.</summary>
    public Task WhenRevoked => Revoked.Task;

    internal TaskCompletionSource Revoked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
