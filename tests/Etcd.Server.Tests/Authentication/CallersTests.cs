using Etcd.Server.Api;
using Etcd.Server.Authentication;
using Grpc.Core;

namespace Etcd.Server.Tests.Authentication;

public sealed class CallersTests
{
    [Fact]
    public async Task TokensNamingIndexesNeverAppliedCannotPileUpWaits()
    {
        using var auth = new AuthFixture();
        auth.EnableWithRoot();
        var waits = new AppliedIndexWaits(10, limit: 3);
        var callers = new Callers(auth.Store, waits, TimeSpan.FromMinutes(1));
        using var stop = new CancellationTokenSource();
        // Made-up tokens naming an index far ahead, one request each: the first three wait...
        var parked = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            parked.Add(callers.ResolveAsync(Token($"abcdefghijklmnop.{ulong.MaxValue - (ulong)i}"), stop.Token).AsTask());
        }
        Assert.Equal(3, waits.Count);
        Assert.All(parked, task => Assert.False(task.IsCompleted));
        // ...the next is refused at once with etcd's answer, and parks nothing.
        var refused = await Assert.ThrowsAsync<EtcdException>(() => callers.ResolveAsync(Token("abcdefghijklmnop.99999999"), stop.Token).AsTask());
        Assert.Equal(StatusCode.ResourceExhausted, refused.Code);
        Assert.Equal("etcdserver: too many requests", refused.Message);
        Assert.Equal(3, waits.Count);
        stop.Cancel();
        foreach (var task in parked) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(0, waits.Count);
    }

    [Fact]
    public async Task AWaitThatTimesOutIsAnInvalidToken()
    {
        using var auth = new AuthFixture();
        auth.EnableWithRoot();
        var waits = new AppliedIndexWaits(10);
        var callers = new Callers(auth.Store, waits, TimeSpan.FromMilliseconds(20));
        var refused = await Assert.ThrowsAsync<EtcdException>(() => callers.ResolveAsync(Token("abcdefghijklmnop.11"), CancellationToken.None).AsTask());
        Assert.True(refused.Is(EtcdErrors.InvalidAuthToken));
        Assert.Equal(0, waits.Count);
    }

    private static Metadata Token(string token) => new() { { "token", token } };
}
