using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;

namespace Etcd.Server.Tests.Core;

public sealed class ProposalWaitersTests
{
    [Fact]
    public async Task AWaiterPastItsTimeoutFailsWithTimeout()
    {
        using var waiters = new ProposalWaiters();
        var waiting = waiters.Register(1, timeout: TimeSpan.FromMilliseconds(50));
        var answered = waiters.Register(2, timeout: TimeSpan.FromMilliseconds(50));
        waiters.Complete(2, ApplyResult.Of(new PutResponse()));
        // The sweep runs every 250 ms; 10 s is only the test's own bound.
        await Assert.ThrowsAsync<TimeoutException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True((await answered).Response is PutResponse);
    }

    [Fact]
    public async Task AWaiterWithoutTimeoutWaitsUntilCompleted()
    {
        using var waiters = new ProposalWaiters();
        var expiring = waiters.Register(1, timeout: TimeSpan.FromMilliseconds(1));
        var patient = waiters.Register(2);
        await Assert.ThrowsAsync<TimeoutException>(() => expiring.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(patient.IsCompleted);
        waiters.Complete(2, ApplyResult.Of(new PutResponse()));
        await patient;
    }

    [Fact]
    public void TheProposedRequestIsFoundOnlyWhileItsProposerWaits()
    {
        using var waiters = new ProposalWaiters();
        var request = new InternalRaftRequest { Put = new PutRequest() };
        waiters.Register(7, request);
        Assert.Same(request, waiters.ProposedRequest(7));
        Assert.Null(waiters.ProposedRequest(8));
        Assert.Null(waiters.ProposedRequest(0));
        waiters.Complete(7, ApplyResult.Of(new PutResponse()));
        Assert.Null(waiters.ProposedRequest(7));
    }
}
