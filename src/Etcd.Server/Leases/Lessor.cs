using Etcd.Mvcc;
using Etcd.Server.Api;
using Etcd.Storage.Backend;

namespace Etcd.Server.Leases;

/// <summary>
/// The leases of this member (etcd's lessor). Which leases exist and their TTLs are replicated:
/// they change only when Grant, Revoke and Checkpoint entries are applied. Expiry is not: only
/// the primary (the leader, once it has applied its first entry of the term) counts leases
/// down, and it revokes an expired lease by proposing the revocation through Raft.
/// </summary>
/// <remarks>
/// Threading: the apply loop grants, removes and checkpoints; the Raft loop promotes and demotes;
/// client calls renew and look up; the expiry loop takes expired leases. One lock guards it all,
/// and is never held while calling out.
/// </remarks>
public sealed class Lessor : ILeaseLookup
{
    /// <summary>etcd's largest TTL a lease may be granted with, in seconds.</summary>
    public const long MaxTtl = 9_000_000_000;

    /// <summary>What etcd answers as the remaining TTL of a lease that is not counting down (math.MaxInt64 ns in seconds).</summary>
    public const long ForeverSeconds = long.MaxValue / 1_000_000_000;

    // etcd retries the revocation of an expired lease after this long if it has not been applied.
    private static readonly TimeSpan ExpiredRetryInterval = TimeSpan.FromSeconds(3);

    /// <summary>etcd's revoke rate limit per second; Promote spreads pile-ups of expiries under it.</summary>
    public const int RevokesPerSecond = 1000;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Lease> _leases = [];
    private readonly PriorityQueue<Lease, long> _expiries = new();
    private readonly PriorityQueue<Lease, long> _checkpoints = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan? _checkpointInterval;
    private TaskCompletionSource? _demoted;
    private TaskCompletionSource _promoted = NewSignal();

    /// <param name="time">The clock expiries are measured with.</param>
    /// <param name="minTtl">Smallest TTL in seconds a lease gets (etcd: 1.5 election timeouts, rounded up).</param>
    /// <param name="checkpointInterval">How often the primary checkpoints remaining TTLs; null when checkpointing is off.</param>
    public Lessor(TimeProvider time, long minTtl, TimeSpan? checkpointInterval)
    {
        _time = time;
        MinTtl = minTtl;
        _checkpointInterval = checkpointInterval;
    }

    public long MinTtl { get; }

    public bool CheckpointingEnabled => _checkpointInterval is not null;

    /// <summary>etcd's minimum lease TTL for a member with these Raft timings: 1.5 election timeouts, in whole seconds rounded up.</summary>
    public static long MinTtlFor(int electionTicks, ulong heartbeatMs) =>
        (long)Math.Ceiling((3 * electionTicks / 2) * (double)heartbeatMs / 1000);

    public bool IsPrimary
    {
        get
        {
            lock (_lock) return _demoted is not null;
        }
    }

    /// <summary>Completes when this member is (or next becomes) the primary lessor.</summary>
    public Task WhenPrimary
    {
        get
        {
            lock (_lock) return _promoted.Task;
        }
    }

    /// <summary>Becomes the leases the backend holds (at start, or from a leader's snapshot); none counts down until promoted.</summary>
    public void Recover(IBackendReader reader)
    {
        var records = new List<LeaseRecord>();
        reader.Scan(Bucket.Lease, [], [], (_, value) =>
        {
            records.Add(LeaseRecord.Read(value));
            return true;
        });
        lock (_lock)
        {
            // The backend's leases replace whatever was here: after a snapshot from the leader,
            // leases revoked in the history it covers are gone (queue entries of the old ones are
            // recognised as stale when they come up).
            _leases.Clear();
            foreach (var record in records)
                _leases[record.Id] = new Lease(record.Id, Math.Max(record.Ttl, MinTtl), record.RemainingTtl);
        }
    }

    public bool Exists(long leaseId)
    {
        lock (_lock) return _leases.ContainsKey(leaseId);
    }

    public Lease? Lookup(long leaseId)
    {
        lock (_lock) return _leases.GetValueOrDefault(leaseId);
    }

    /// <summary>Applies a grant: the lease exists from now on. Throws etcd's errors for a bad request.</summary>
    public Lease Grant(long id, long ttl)
    {
        if (id == 0) throw EtcdErrors.LeaseNotFound;
        if (ttl > MaxTtl) throw EtcdErrors.LeaseTTLTooLarge;
        lock (_lock)
        {
            if (_leases.ContainsKey(id)) throw EtcdErrors.LeaseExist;
            var lease = new Lease(id, Math.Max(ttl, MinTtl), 0);
            _leases.Add(id, lease);
            if (_demoted is not null)
            {
                Refresh(lease, TimeSpan.Zero, _time.GetTimestamp());
                ScheduleCheckpoint(lease);
            }
            return lease;
        }
    }

    /// <summary>Applies a revocation: the lease no longer exists. Returns it, or null when there was none.</summary>
    public Lease? Remove(long id)
    {
        lock (_lock)
        {
            // Queue entries of a removed lease are recognised as stale when they come up.
            return _leases.Remove(id, out var lease) ? lease : null;
        }
    }

    /// <summary>Applies a checkpoint: the remaining TTL a later promotion starts the lease from.</summary>
    public Lease? Checkpoint(long id, long remainingTtl)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue(id, out var lease)) return null;
            lease.CheckpointedTtl = remainingTtl;
            if (_demoted is not null) ScheduleCheckpoint(lease);
            return lease;
        }
    }

    /// <summary>
    /// Makes this member the primary: every lease counts down again from its remaining TTL plus
    /// <paramref name="extend"/> (the time an election may have taken), so that no lease expires
    /// because leadership moved. Expiries that would pile up beyond the revoke rate are spread out.
    /// Once per leadership: a primary stays as it is.
    /// </summary>
    /// <remarks>
    /// etcd promotes again on every empty entry the leader applies, and a leader appends one
    /// mid-term for each conf change it refuses. That second promotion extends leases whose
    /// revocation is already proposed, a keep-alive then renews one, and the revocation drops it
    /// while the client was promised its TTL (the cluster simulator found it, seed 225).
    /// </remarks>
    public void Promote(TimeSpan extend)
    {
        lock (_lock)
        {
            if (_demoted is not null) return;
            _demoted = NewSignal();
            var now = _time.GetTimestamp();
            foreach (var lease in _leases.Values)
            {
                Refresh(lease, extend, now);
                ScheduleCheckpoint(lease);
            }
            if (_leases.Count >= RevokesPerSecond) SpreadExpiries(extend, now);
            _promoted.TrySetResult();
        }
    }

    /// <summary>This member is no longer the primary: no lease counts down here.</summary>
    public void Demote()
    {
        TaskCompletionSource? demoted;
        lock (_lock)
        {
            foreach (var lease in _leases.Values)
            {
                lease.ExpiresAt = Lease.Forever;
                lease.QueuedAt = 0;
            }
            _expiries.Clear();
            _checkpoints.Clear();
            demoted = _demoted;
            _demoted = null;
            if (_promoted.Task.IsCompleted) _promoted = NewSignal();
        }
        demoted?.TrySetResult();
    }

    /// <summary>
    /// Starts a renewal (a keep-alive) of lease <paramref name="id"/> on the primary. An expired
    /// lease is not renewed: its revocation is on the way, and the caller waits for it.
    /// </summary>
    public RenewAttempt BeginRenew(long id)
    {
        lock (_lock)
        {
            if (_demoted is null) return new RenewAttempt(RenewState.NotPrimary, null, _promoted.Task);
            if (!_leases.TryGetValue(id, out var lease)) return new RenewAttempt(RenewState.NotFound, null, null);
            if (lease.ExpiresAt <= _time.GetTimestamp()) return new RenewAttempt(RenewState.Expired, lease, _demoted.Task);
            var state = CheckpointingEnabled && lease.CheckpointedTtl > 0 ? RenewState.ClearCheckpoint : RenewState.Renewable;
            return new RenewAttempt(state, lease, _demoted.Task);
        }
    }

    /// <summary>Restarts <paramref name="lease"/>'s countdown from its whole TTL; false if it is gone or this member is not primary.</summary>
    public bool Renew(Lease lease)
    {
        lock (_lock)
        {
            if (_demoted is null || !ReferenceEquals(_leases.GetValueOrDefault(lease.Id), lease)) return false;
            Refresh(lease, TimeSpan.Zero, _time.GetTimestamp());
            return true;
        }
    }

    /// <summary>Seconds left before <paramref name="lease"/> expires, rounded down (etcd's TimeToLive TTL).</summary>
    public long RemainingSeconds(Lease lease)
    {
        var expiresAt = lease.ExpiresAt;
        if (expiresAt == Lease.Forever) return ForeverSeconds;
        return (expiresAt - _time.GetTimestamp()) / _time.TimestampFrequency;
    }

    /// <summary>Every lease, soonest expiry first (the order etcd lists them in).</summary>
    public List<Lease> List()
    {
        List<Lease> leases;
        lock (_lock) leases = [.. _leases.Values];
        leases.Sort(static (a, b) => a.ExpiresAt.CompareTo(b.ExpiresAt));
        return leases;
    }

    /// <summary>
    /// On the primary, takes up to <paramref name="limit"/> leases whose time is up. Each stays
    /// scheduled for another attempt a few seconds later, in case its revocation gets lost.
    /// </summary>
    public List<Lease> TakeExpired(int limit)
    {
        var expired = new List<Lease>();
        lock (_lock)
        {
            if (_demoted is null) return expired;
            var now = _time.GetTimestamp();
            while (expired.Count < limit && _expiries.TryPeek(out var lease, out var at) && at <= now)
            {
                _expiries.Dequeue();
                if (!IsCurrent(lease) || lease.QueuedAt != at) continue;
                if (lease.ExpiresAt > now)
                {
                    // Renewed since it was queued: queue it again at its new expiry.
                    Enqueue(lease, lease.ExpiresAt);
                    continue;
                }
                expired.Add(lease);
                Enqueue(lease, now + Ticks(ExpiredRetryInterval));
            }
        }
        return expired;
    }

    /// <summary>When the soonest queued expiry is due, in timestamp units; null when none is queued.</summary>
    public long? NextExpiry
    {
        get
        {
            lock (_lock) return _expiries.TryPeek(out _, out var at) ? at : null;
        }
    }

    /// <summary>On the primary with checkpointing on: remaining TTLs due to be recorded through Raft.</summary>
    public List<(long Id, long RemainingTtl)> TakeDueCheckpoints(int limit)
    {
        var due = new List<(long, long)>();
        lock (_lock)
        {
            if (_demoted is null || _checkpointInterval is null) return due;
            var now = _time.GetTimestamp();
            while (due.Count < limit && _checkpoints.TryPeek(out var lease, out var at) && at <= now)
            {
                _checkpoints.Dequeue();
                if (!IsCurrent(lease) || lease.ExpiresAt <= now) continue;
                var remaining = (long)Math.Ceiling((lease.ExpiresAt - now) / (double)_time.TimestampFrequency);
                if (remaining >= lease.Ttl) continue;
                due.Add((lease.Id, remaining));
            }
        }
        return due;
    }

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private bool IsCurrent(Lease lease) => ReferenceEquals(_leases.GetValueOrDefault(lease.Id), lease);

    private void Refresh(Lease lease, TimeSpan extend, long now)
    {
        lease.ExpiresAt = SaturatingAdd(now, Ticks(extend) + SecondsToTicks(lease.RefreshTtl));
        // The queue holds at most one entry per lease; an entry earlier than the expiry is
        // re-queued when it comes up, so only a lease without one needs a new entry.
        if (lease.QueuedAt == 0 || lease.QueuedAt > lease.ExpiresAt) Enqueue(lease, lease.ExpiresAt);
    }

    private void Enqueue(Lease lease, long at)
    {
        lease.QueuedAt = at;
        _expiries.Enqueue(lease, at);
    }

    private void ScheduleCheckpoint(Lease lease)
    {
        if (_checkpointInterval is not { } interval) return;
        if (lease.RefreshTtl > (long)interval.TotalSeconds)
            _checkpoints.Enqueue(lease, _time.GetTimestamp() + Ticks(interval));
    }

    /// <summary>
    /// Leases that would expire together beyond three quarters of the revoke rate per second are
    /// pushed later, so the new primary is not flooded with revocations right after an election.
    /// </summary>
    private void SpreadExpiries(TimeSpan extend, long now)
    {
        var leases = new List<Lease>(_leases.Values);
        leases.Sort(static (a, b) => a.ExpiresAt.CompareTo(b.ExpiresAt));
        var second = _time.TimestampFrequency;
        var perSecond = 3 * RevokesPerSecond / 4;
        var windowStart = leases[0].ExpiresAt;
        var windowEnd = windowStart + second;
        var inWindow = 0;
        foreach (var lease in leases)
        {
            if (lease.ExpiresAt > windowEnd)
            {
                windowStart = lease.ExpiresAt;
                windowEnd = windowStart + second;
                inWindow = 1;
                continue;
            }
            inWindow++;
            if (inWindow <= perSecond) continue;
            var delay = (long)(second * (inWindow / (double)perSecond)) - (lease.ExpiresAt - windowStart);
            windowEnd = windowStart + delay;
            lease.ExpiresAt = SaturatingAdd(now, Ticks(extend) + delay + SecondsToTicks(lease.RefreshTtl));
            lease.QueuedAt = 0;
            Enqueue(lease, lease.ExpiresAt);
        }
    }

    private long SecondsToTicks(long seconds) =>
        seconds >= long.MaxValue / _time.TimestampFrequency ? long.MaxValue / 2 : seconds * _time.TimestampFrequency;

    private static long SaturatingAdd(long a, long b) => b > Lease.Forever - 1 - a ? Lease.Forever - 1 : a + b;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
