using Etcd.Raft.Tracking;

namespace Etcd.Raft.Tests.Components;

public sealed class TrackingTests
{
    [Fact]
    public void Inflights_FillUpToCapacityAndFreeInOrder()
    {
        var inflights = new Inflights(3);
        inflights.Add(1);
        inflights.Add(2);
        inflights.Add(3);
        Assert.True(inflights.IsFull);
        Assert.Throws<InvalidOperationException>(() => inflights.Add(4));

        inflights.FreeLE(2);
        Assert.Equal(1, inflights.Count);
        inflights.Add(4);
        inflights.Add(5); // wraps around the ring
        Assert.True(inflights.IsFull);

        inflights.FreeFirstOne();
        Assert.Equal(2, inflights.Count);
        inflights.FreeLE(5);
        Assert.Equal(0, inflights.Count);
    }

    [Fact]
    public void Inflights_ExtendLastMovesTheNewestEntry()
    {
        var inflights = new Inflights(2);
        inflights.Add(3);
        inflights.ExtendLast(7);
        inflights.FreeLE(6);
        Assert.Equal(1, inflights.Count);
        inflights.FreeLE(7);
        Assert.Equal(0, inflights.Count);
    }

    [Theory]
    [InlineData(ProgressState.Replicate, 5UL, 10UL, 5UL, 5UL, false, 10UL)] // stale: at or below match
    [InlineData(ProgressState.Replicate, 5UL, 10UL, 9UL, 9UL, true, 6UL)] // back to match+1
    [InlineData(ProgressState.Probe, 0UL, 10UL, 5UL, 5UL, false, 10UL)] // not the outstanding probe
    [InlineData(ProgressState.Probe, 0UL, 10UL, 9UL, 2UL, true, 3UL)] // jump to the follower's last index + 1
    [InlineData(ProgressState.Probe, 0UL, 10UL, 9UL, 0UL, true, 1UL)] // never below 1
    public void Progress_MaybeDecrTo(ProgressState state, ulong match, ulong next, ulong rejected, ulong last, bool changed, ulong expectedNext)
    {
        var pr = new Progress(match, next, new Inflights(8), isLearner: false);
        if (state == ProgressState.Replicate)
        {
            pr.BecomeReplicate();
            pr.Next = next;
        }

        Assert.Equal(changed, pr.MaybeDecrTo(rejected, last));
        Assert.Equal(expectedNext, pr.Next);
        Assert.Equal(match, pr.Match);
    }

    [Fact]
    public void Progress_MaybeUpdateNeverMovesBackwards()
    {
        var pr = new Progress(3, 5, new Inflights(8), isLearner: false);
        Assert.False(pr.MaybeUpdate(2));
        Assert.Equal(3UL, pr.Match);
        Assert.True(pr.MaybeUpdate(6));
        Assert.Equal(6UL, pr.Match);
        Assert.Equal(7UL, pr.Next);
    }

    [Fact]
    public void Progress_PausedDependsOnState()
    {
        var pr = new Progress(1, 2, new Inflights(1), isLearner: false);
        Assert.False(pr.IsPaused);
        pr.ProbeSent = true;
        Assert.True(pr.IsPaused);

        pr.BecomeReplicate();
        Assert.False(pr.IsPaused);
        pr.Inflights.Add(5);
        Assert.True(pr.IsPaused);

        pr.BecomeSnapshot(10);
        Assert.True(pr.IsPaused);
        pr.BecomeProbe();
        Assert.Equal(11UL, pr.Next); // resumes after the snapshot
    }
}
