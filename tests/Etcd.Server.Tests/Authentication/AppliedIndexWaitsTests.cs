using Etcd.Server.Api;
using Etcd.Server.Authentication;

namespace Etcd.Server.Tests.Authentication;

public sealed class AppliedIndexWaitsTests
{
    [Fact]
    public async Task AnIndexAlreadyAppliedDoesNotWait()
    {
        var waits = new AppliedIndexWaits(10);
        Assert.True(await waits.WaitAsync(10, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(0, waits.Count);
    }

    [Fact]
    public async Task WaitsBeyondTheLimitAreRefusedAtOnce()
    {
        var waits = new AppliedIndexWaits(1, limit: 2);
        var first = waits.WaitAsync(ulong.MaxValue, TimeSpan.FromMinutes(1), CancellationToken.None);
        var second = waits.WaitAsync(ulong.MaxValue - 1, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(2, waits.Count);
        // Refused without waiting for the minute, with etcd's answer to an overloaded member.
        var third = waits.WaitAsync(5, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.True(third.IsCompleted);
        var refused = await Assert.ThrowsAsync<EtcdException>(() => third);
        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, refused.Code);
        Assert.Equal("etcdserver: too many requests", refused.Message);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
    }

    [Fact]
    public async Task AWaitThatTimesOutOrIsCancelledLeavesNoTrace()
    {
        var waits = new AppliedIndexWaits(1, limit: 2);
        Assert.False(await waits.WaitAsync(ulong.MaxValue, TimeSpan.FromMilliseconds(1), CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        var cancelled = waits.WaitAsync(ulong.MaxValue, TimeSpan.FromMinutes(1), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(0, waits.Count);
        // The room freed is usable again.
        var a = waits.WaitAsync(7, TimeSpan.FromMinutes(1), CancellationToken.None);
        var b = waits.WaitAsync(8, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(2, waits.Count);
        waits.Advance(8);
        Assert.True(await a);
        Assert.True(await b);
        Assert.Equal(0, waits.Count);
    }

    [Fact]
    public async Task AdvanceReleasesOnlyTheIndexesApplied()
    {
        var waits = new AppliedIndexWaits(1);
        var low = waits.WaitAsync(5, TimeSpan.FromMinutes(1), CancellationToken.None);
        var high = waits.WaitAsync(50, TimeSpan.FromMinutes(1), CancellationToken.None);
        waits.Advance(5);
        Assert.True(await low);
        Assert.False(high.IsCompleted);
        Assert.Equal(1, waits.Count);
        waits.Advance(50);
        Assert.True(await high);
    }
}
