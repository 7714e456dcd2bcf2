using Etcd.Server.Api;
using Etcd.Server.Leases;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;
using Grpc.Core;

namespace Etcd.Server.Tests.Leases;

public sealed class LessorTests
{
    private readonly ManualClock _clock = new();

    private Lessor Primary(long minTtl = 2, TimeSpan? checkpoints = null)
    {
        var lessor = new Lessor(_clock, minTtl, checkpoints);
        lessor.Promote(TimeSpan.Zero);
        return lessor;
    }

    [Fact]
    public void MinimumTtlIsOneAndAHalfElectionTimeoutsRoundedUp()
    {
        // etcd's defaults: 100 ms heartbeat, 10 ticks per election: 1.5 s, so 2 s.
        Assert.Equal(2, Lessor.MinTtlFor(10, 100));
        Assert.Equal(15, Lessor.MinTtlFor(10, 1000));
        Assert.Equal(1, Lessor.MinTtlFor(5, 100));
    }

    [Fact]
    public void GrantRaisesTtlToTheMinimumAndRefusesWhatEtcdRefuses()
    {
        var lessor = Primary(minTtl: 5);
        Assert.Equal(5, lessor.Grant(1, 1).Ttl);
        Assert.Equal(5, lessor.Grant(2, -3).Ttl);
        Assert.Equal(60, lessor.Grant(3, 60).Ttl);
        Assert.Equal("etcdserver: lease already exists", Assert.Throws<EtcdException>(() => lessor.Grant(1, 10)).Message);
        Assert.Equal("etcdserver: too large lease TTL", Assert.Throws<EtcdException>(() => lessor.Grant(4, Lessor.MaxTtl + 1)).Message);
        Assert.Equal(StatusCode.OutOfRange, Assert.Throws<EtcdException>(() => lessor.Grant(4, Lessor.MaxTtl + 1)).Code);
        Assert.Equal(Lessor.MaxTtl, lessor.Grant(4, Lessor.MaxTtl).Ttl);
    }

    [Fact]
    public void ALeaseExpiresOnThePrimaryWhenItsTtlIsUp()
    {
        var lessor = Primary();
        lessor.Grant(7, 10);
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Empty(lessor.TakeExpired(100));
        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal([7L], lessor.TakeExpired(100).Select(l => l.Id));
        // Taken once; offered again after etcd's retry interval in case the revocation got lost.
        Assert.Empty(lessor.TakeExpired(100));
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal([7L], lessor.TakeExpired(100).Select(l => l.Id));
        lessor.Remove(7);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(lessor.TakeExpired(100));
    }

    [Fact]
    public void RenewingRestartsTheCountdown()
    {
        var lessor = Primary();
        var lease = lessor.Grant(7, 10);
        _clock.Advance(TimeSpan.FromSeconds(8));
        var attempt = lessor.BeginRenew(7);
        Assert.Equal(RenewState.Renewable, attempt.State);
        Assert.True(lessor.Renew(attempt.Lease!));
        Assert.Equal(10, lessor.RemainingSeconds(lease));
        _clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Empty(lessor.TakeExpired(100));
        _clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Single(lessor.TakeExpired(100));
        Assert.Equal(RenewState.Expired, lessor.BeginRenew(7).State);
        Assert.Equal(RenewState.NotFound, lessor.BeginRenew(8).State);
    }

    [Fact]
    public void OnlyThePrimaryCountsDownAndANewPrimaryExtendsEveryLease()
    {
        var lessor = new Lessor(_clock, 2, null);
        var lease = lessor.Grant(7, 10);
        Assert.Equal(RenewState.NotPrimary, lessor.BeginRenew(7).State);
        Assert.False(lessor.WhenPrimary.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Empty(lessor.TakeExpired(100));
        Assert.Equal(Lessor.ForeverSeconds, lessor.RemainingSeconds(lease));

        // Leadership arrives: the full TTL plus the election timeout, so a lease kept alive
        // against the old leader does not expire because of the election.
        lessor.Promote(TimeSpan.FromSeconds(1));
        Assert.True(lessor.WhenPrimary.IsCompleted);
        Assert.Equal(11, lessor.RemainingSeconds(lease));
        _clock.Advance(TimeSpan.FromSeconds(10.5));
        Assert.Empty(lessor.TakeExpired(100));

        lessor.Demote();
        Assert.False(lessor.IsPrimary);
        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Empty(lessor.TakeExpired(100));
        lessor.Promote(TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(lessor.TakeExpired(100));
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Single(lessor.TakeExpired(100));
    }

    [Fact]
    public void DemotionWakesWaitersOfAnExpiredLease()
    {
        var lessor = Primary();
        lessor.Grant(7, 2);
        _clock.Advance(TimeSpan.FromSeconds(3));
        var attempt = lessor.BeginRenew(7);
        Assert.Equal(RenewState.Expired, attempt.State);
        Assert.False(attempt.Wait!.IsCompleted);
        lessor.Demote();
        Assert.True(attempt.Wait.IsCompleted);
    }

    [Fact]
    public void ASecondPromotionInTheSameLeadershipExtendsNothing()
    {
        // A leader applies an empty entry mid-term for every conf change it refuses; a lease whose
        // revocation is already proposed must stay expired, so no keep-alive renews it.
        var lessor = Primary();
        lessor.Grant(7, 2);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Single(lessor.TakeExpired(100));
        lessor.Promote(TimeSpan.FromSeconds(5));
        Assert.Equal(RenewState.Expired, lessor.BeginRenew(7).State);
        // A new leadership does extend it.
        lessor.Demote();
        lessor.Promote(TimeSpan.FromSeconds(5));
        Assert.Equal(RenewState.Renewable, lessor.BeginRenew(7).State);
    }

    [Fact]
    public void ACheckpointedRemainderIsWhatThenextPrimaryCountsDownFrom()
    {
        var lessor = Primary(checkpoints: TimeSpan.FromSeconds(5));
        var lease = lessor.Grant(7, 100);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var due = lessor.TakeDueCheckpoints(1000);
        Assert.Equal([(7L, 95L)], due);
        lessor.Checkpoint(7, 95);

        lessor.Demote();
        lessor.Promote(TimeSpan.Zero);
        Assert.Equal(95, lessor.RemainingSeconds(lease));
        // A keep-alive must clear the remainder (through Raft) before renewing to the whole TTL.
        Assert.Equal(RenewState.ClearCheckpoint, lessor.BeginRenew(7).State);
        lessor.Checkpoint(7, 0);
        var attempt = lessor.BeginRenew(7);
        Assert.Equal(RenewState.Renewable, attempt.State);
        lessor.Renew(attempt.Lease!);
        Assert.Equal(100, lessor.RemainingSeconds(lease));
    }

    [Fact]
    public void ShortLeasesAreNotCheckpointed()
    {
        var lessor = Primary(checkpoints: TimeSpan.FromSeconds(5));
        lessor.Grant(7, 4);
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty(lessor.TakeDueCheckpoints(1000));
    }

    [Fact]
    public void ManyLeasesExpiringTogetherAfterPromotionAreSpreadOut()
    {
        var lessor = new Lessor(_clock, 2, null);
        for (var id = 1; id <= 3000; id++) lessor.Grant(id, 10);
        lessor.Promote(TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromSeconds(10.01));
        // etcd's rule: no more than three quarters of the revoke rate expire in one second.
        var firstSecond = lessor.TakeExpired(10_000);
        Assert.InRange(firstSecond.Count, 1, 3 * Lessor.RevokesPerSecond / 4 + 1);
        foreach (var lease in firstSecond) lessor.Remove(lease.Id);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3000, firstSecond.Count + lessor.TakeExpired(10_000).Count);
    }

    [Fact]
    public void LeasesListSoonestExpiryFirst()
    {
        var lessor = Primary();
        lessor.Grant(1, 50);
        lessor.Grant(2, 10);
        lessor.Grant(3, 30);
        Assert.Equal([2L, 3L, 1L], lessor.List().Select(l => l.Id));
    }

    [Fact]
    public void RecoverReadsTheLeaseBucketAndAppliesTheMinimum()
    {
        using var backend = new MemoryBackend();
        using (var batch = backend.CreateBatch())
        {
            Span<byte> record = stackalloc byte[LeaseRecord.MaxSize];
            var length = new LeaseRecord(5, 1, 0).Write(record);
            batch.Put(Bucket.Lease, [0, 0, 0, 0, 0, 0, 0, 5], record[..length]);
            length = new LeaseRecord(6, 600, 120).Write(record);
            batch.Put(Bucket.Lease, [0, 0, 0, 0, 0, 0, 0, 6], record[..length]);
            backend.Commit(batch);
        }
        var lessor = new Lessor(_clock, 3, null);
        using (var view = backend.Snapshot()) lessor.Recover(view);
        Assert.Equal(3, lessor.Lookup(5)!.Ttl);
        Assert.Equal(600, lessor.Lookup(6)!.Ttl);
        Assert.Equal(120, lessor.Lookup(6)!.CheckpointedTtl);
        Assert.True(lessor.Exists(6));
        Assert.False(lessor.Exists(7));
    }

    [Fact]
    public void RecoverReplacesTheLeasesItHadWithTheBackendsOnes()
    {
        // After a leader's snapshot: leases revoked in the history it covers must not linger.
        using var backend = new MemoryBackend();
        using (var batch = backend.CreateBatch())
        {
            Span<byte> record = stackalloc byte[LeaseRecord.MaxSize];
            var length = new LeaseRecord(6, 600, 0).Write(record);
            batch.Put(Bucket.Lease, [0, 0, 0, 0, 0, 0, 0, 6], record[..length]);
            backend.Commit(batch);
        }
        var lessor = new Lessor(_clock, 3, null);
        lessor.Grant(5, 10);
        using (var view = backend.Snapshot()) lessor.Recover(view);
        Assert.False(lessor.Exists(5));
        Assert.True(lessor.Exists(6));
    }
}
