using System.Diagnostics;
using Etcd.Server.Watch;
using static Etcd.Server.Tests.Watch.WatchFixture;

namespace Etcd.Server.Tests.Watch;

public sealed class WatchStreamPacingTests : IAsyncLifetime
{
    private static readonly long PeriodTicks = (long)(WatchStreamPacing.Period.TotalSeconds * Stopwatch.Frequency);

    private WatchFixture _fixture = null!;

    public Task InitializeAsync()
    {
        _fixture = new WatchFixture();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public void AStreamBelowTheRateIsNeverHeldBack()
    {
        var pacing = new WatchStreamPacing();
        var now = 1_000_000_000_000L;
        for (var drain = 0; drain < 100; drain++)
        {
            Assert.Equal(TimeSpan.Zero, pacing.PauseBefore(now));
            pacing.Draining(now);
            pacing.Wrote(WatchStreamPacing.HotEvents / 100 - 1);
            now += PeriodTicks / 100;
        }
    }

    [Fact]
    public void AHotStreamWaitsForTheRestOfItsPeriodThenDrainsAtOnce()
    {
        var pacing = new WatchStreamPacing();
        var start = 1_000_000_000_000L;
        pacing.Draining(start);
        pacing.Wrote(WatchStreamPacing.HotEvents);

        // A quarter into the period: three quarters to wait.
        var pause = pacing.PauseBefore(start + PeriodTicks / 4);
        Assert.InRange(pause, WatchStreamPacing.Period * 0.74, WatchStreamPacing.Period * 0.76);
        Assert.Equal(TimeSpan.Zero, pacing.PauseBefore(start + PeriodTicks));

        // The next period starts with the drain after the wait and counts afresh.
        pacing.Draining(start + PeriodTicks);
        Assert.Equal(TimeSpan.Zero, pacing.PauseBefore(start + PeriodTicks + 1));
    }

    [Fact]
    public void EventsOfSeveralDrainsInOnePeriodAddUp()
    {
        var pacing = new WatchStreamPacing();
        var now = 1_000_000_000_000L;
        pacing.Draining(now);
        pacing.Wrote(WatchStreamPacing.HotEvents - 1);
        Assert.Equal(TimeSpan.Zero, pacing.PauseBefore(now + 1));
        pacing.Draining(now + 1);
        pacing.Wrote(1);
        Assert.True(pacing.PauseBefore(now + 2) > TimeSpan.Zero);
    }

    [Fact]
    public async Task AWaitForBacklogEndsWhenEnoughIsQueuedBeforeItsTime()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("k", "l"));
        await Take(session, 1);

        var wait = session.WaitForBacklogAsync(3, TimeSpan.FromMinutes(10), CancellationToken.None).AsTask();
        _fixture.Put("k1", "v");
        _fixture.Put("k2", "v");
        Assert.False(wait.IsCompleted);
        _fixture.Put("k3", "v");
        await wait.WaitAsync(Deadline);
        Assert.Equal(3, session.Backlog);
    }

    [Fact]
    public async Task AWaitForBacklogEndsWhenAnythingButEventsIsQueued()
    {
        var session = _fixture.Hub.OpenSession();
        session.Create(Create("k", "l"));
        await Take(session, 1);

        var wait = session.WaitForBacklogAsync(1000, TimeSpan.FromMinutes(10), CancellationToken.None).AsTask();
        _fixture.Put("k1", "v");
        Assert.False(wait.IsCompleted);
        session.Create(Create("m"));
        await wait.WaitAsync(Deadline);

        // Still queued, it ends the next wait at once.
        await session.WaitForBacklogAsync(1000, TimeSpan.FromMinutes(10), CancellationToken.None).AsTask().WaitAsync(Deadline);
        var taken = await Take(session, 2);
        Assert.True(taken[1].Created);
    }

    [Fact]
    public async Task AWaitForBacklogEndsAtItsTimeOrWhenTheSessionCloses()
    {
        var session = _fixture.Hub.OpenSession();
        await session.WaitForBacklogAsync(1, TimeSpan.FromMilliseconds(1), CancellationToken.None).AsTask().WaitAsync(Deadline);

        var wait = session.WaitForBacklogAsync(1, TimeSpan.FromMinutes(10), CancellationToken.None).AsTask();
        session.Close();
        await wait.WaitAsync(Deadline);
    }
}
