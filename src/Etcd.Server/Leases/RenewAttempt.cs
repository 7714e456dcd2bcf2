namespace Etcd.Server.Leases;

/// <summary>Where a keep-alive stands after <see cref="Lessor.BeginRenew"/>.</summary>
public enum RenewState
{
    /// <summary>This member does not count leases down; wait for <see cref="RenewAttempt.Wait"/> (promotion) or ask the leader.</summary>
    NotPrimary,
    /// <summary>No such lease: the keep-alive answers TTL 0.</summary>
    NotFound,
    /// <summary>The lease's time is up; wait for its revocation (or a demotion) in <see cref="RenewAttempt.Wait"/>.</summary>
    Expired,
    /// <summary>The lease carries a checkpointed remainder that must be cleared through Raft before renewing.</summary>
    ClearCheckpoint,
    /// <summary>Renew now with <see cref="Lessor.Renew"/>.</summary>
    Renewable,
}

/// <summary>The outcome of <see cref="Lessor.BeginRenew"/>: the lease and, where the caller must wait, what for.</summary>
/// <param name="Wait">Promotion for <see cref="RenewState.NotPrimary"/>; demotion otherwise.</param>
public readonly record struct RenewAttempt(RenewState State, Lease? Lease, Task? Wait);
