using Etcd.Server.Api;
using Etcd.Server.Compaction;
using Etcd.Server.Tests.Leases;

namespace Etcd.Server.Tests.Compaction;

/// <summary>etcd's periodic and revision compactors, stepped on a manual clock (etcd's own compactor tests check the same points).</summary>
public sealed class AutoCompactionTests
{
    private sealed class FakeTarget : ICompactionTarget
    {
        public long CurrentRevision { get; set; } = 1;
        public bool IsLeader { get; set; } = true;
        public Exception? Failure { get; set; }
        public List<long> Compactions { get; } = [];

        public Task CompactAsync(long revision, CancellationToken cancellationToken)
        {
            if (Failure is not null) return Task.FromException(Failure);
            Compactions.Add(revision);
            return Task.CompletedTask;
        }
    }

    // Advances one interval, moves the revision on by `writes`, then steps (the revision the
    // step samples is the one after the writes, as etcd samples at the top of its loop).
    private static async Task Step(ManualClock clock, FakeTarget target, PeriodicCompactor compactor, int writes = 1)
    {
        clock.Advance(compactor.Interval);
        await compactor.StepAsync(CancellationToken.None);
        target.CurrentRevision += writes;
    }

    [Fact]
    public async Task PeriodicCompactsAtTheRevisionOfOnePeriodAgo()
    {
        var clock = new ManualClock();
        var target = new FakeTarget();
        var compactor = new PeriodicCompactor(TimeSpan.FromHours(1), target, clock, null);
        Assert.Equal(TimeSpan.FromMinutes(6), compactor.Interval);
        // Nothing during the first hour.
        for (var i = 0; i < 9; i++) await Step(clock, target, compactor);
        Assert.Empty(target.Compactions);
        // At the hour: the revision sampled at the start (1).
        await Step(clock, target, compactor);
        Assert.Equal([1L], target.Compactions);
        // An hour later it compacts at the oldest of the eleven samples it keeps: taken 66 minutes
        // before (at minute 54), as etcd's sliding window does once it is full.
        for (var i = 0; i < 9; i++) await Step(clock, target, compactor);
        Assert.Single(target.Compactions);
        await Step(clock, target, compactor);
        Assert.Equal([1L, 9L], target.Compactions);
    }

    [Fact]
    public async Task LongPeriodsSampleEverySixMinutesAndCompactHourlyAfterTheFirst()
    {
        var clock = new ManualClock();
        var target = new FakeTarget();
        var compactor = new PeriodicCompactor(TimeSpan.FromHours(24), target, clock, null);
        Assert.Equal(TimeSpan.FromMinutes(6), compactor.Interval);
        for (var i = 0; i < 239; i++) await Step(clock, target, compactor);
        Assert.Empty(target.Compactions);
        await Step(clock, target, compactor);
        Assert.Equal([1L], target.Compactions);
        // Then every hour, keeping 24 hours (and one interval) of history.
        for (var i = 0; i < 9; i++) await Step(clock, target, compactor);
        Assert.Single(target.Compactions);
        await Step(clock, target, compactor);
        Assert.Equal([1L, 9L], target.Compactions);
    }

    [Fact]
    public async Task PeriodicRetriesAFailureAtTheNextStepAndCountsCompactedAsDone()
    {
        var clock = new ManualClock();
        var target = new FakeTarget { Failure = EtcdErrors.Timeout };
        var compactor = new PeriodicCompactor(TimeSpan.FromSeconds(10), target, clock, null);
        Assert.Equal(TimeSpan.FromSeconds(1), compactor.Interval);
        for (var i = 0; i < 12; i++) await Step(clock, target, compactor);
        Assert.Empty(target.Compactions);
        Assert.Equal(0, compactor.LastCompacted);
        target.Failure = null;
        await Step(clock, target, compactor);
        // The window slid while it failed: the oldest sample is the revision of eleven seconds ago.
        Assert.Equal([2L], target.Compactions);
        target.Failure = EtcdErrors.Compacted;
        for (var i = 0; i < 9; i++) await Step(clock, target, compactor);
        Assert.Equal(2L, compactor.LastCompacted);
        await Step(clock, target, compactor);
        Assert.Equal(12L, compactor.LastCompacted);
    }

    [Fact]
    public async Task FollowersSampleButDoNotCompact()
    {
        var clock = new ManualClock();
        var target = new FakeTarget { IsLeader = false };
        var compactor = new PeriodicCompactor(TimeSpan.FromSeconds(10), target, clock, null);
        for (var i = 0; i < 30; i++) await Step(clock, target, compactor);
        Assert.Empty(target.Compactions);
        // Becoming leader: compacts at once, at the revision of one period ago.
        target.IsLeader = true;
        await Step(clock, target, compactor);
        Assert.Equal([20L], target.Compactions);
    }

    [Fact]
    public async Task RevisionModeKeepsTheRetentionAndSkipsRepeats()
    {
        var clock = new ManualClock();
        var target = new FakeTarget { CurrentRevision = 5 };
        var compactor = new RevisionCompactor(10, target, clock, null);
        await compactor.StepAsync(CancellationToken.None);
        Assert.Empty(target.Compactions);
        target.CurrentRevision = 25;
        await compactor.StepAsync(CancellationToken.None);
        await compactor.StepAsync(CancellationToken.None);
        Assert.Equal([15L], target.Compactions);
        target.IsLeader = false;
        target.CurrentRevision = 40;
        await compactor.StepAsync(CancellationToken.None);
        Assert.Equal([15L], target.Compactions);
        target.IsLeader = true;
        await compactor.StepAsync(CancellationToken.None);
        Assert.Equal([15L, 30L], target.Compactions);
        Assert.Equal(TimeSpan.FromMinutes(5), RevisionCompactor.Interval);
    }

    [Theory]
    [InlineData("periodic", "1", 3600, 0)]
    [InlineData("periodic", "0", 0, 0)]
    [InlineData("periodic", "30m", 1800, 0)]
    [InlineData("periodic", "5s", 5, 0)]
    [InlineData("revision", "1000", 0, 1000)]
    public void RetentionIsHoursOrADurationOrARevisionCount(string mode, string text, int seconds, long revisions)
    {
        var retention = CompactionRetention.Parse(mode, text);
        Assert.Equal(TimeSpan.FromSeconds(seconds), retention.Period);
        Assert.Equal(revisions, retention.Revisions);
        Assert.Equal(seconds > 0 || revisions > 0, retention.Enabled);
    }

    [Fact]
    public void BadRetentionGetsEtcdsError()
    {
        var e = Assert.Throws<FormatException>(() => CompactionRetention.Parse("periodic", "abc"));
        Assert.Equal("error parsing CompactionRetention: time: invalid duration \"abc\"", e.Message);
    }
}
