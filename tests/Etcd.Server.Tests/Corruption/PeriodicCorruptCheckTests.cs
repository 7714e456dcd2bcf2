using Etcd.Mvcc;
using Etcd.Server.Corruption;
using Xunit;

namespace Etcd.Server.Tests.Corruption;

/// <summary>The leader's rules for the periodic corruption check, as etcd's checkHashKV applies them.</summary>
public sealed class PeriodicCorruptCheckTests
{
    private static readonly KvHash Leader = new(Hash: 111, CurrentRevision: 50, CompactRevision: 10);

    [Fact]
    public void AgreeingPeersAreNoMismatch()
    {
        Assert.False(PeriodicCorruptCheck.Judge(Leader, Leader, [new PeerHash(2, 111, 10, 50, null), new PeerHash(3, 111, 10, 48, null)], null));
    }

    [Fact]
    public void AnotherHashAtTheSameCompactionIsAMismatch()
    {
        Assert.True(PeriodicCorruptCheck.Judge(Leader, Leader, [new PeerHash(2, 111, 10, 50, null), new PeerHash(3, 222, 10, 50, null)], null));
    }

    [Fact]
    public void AnotherHashAfterADifferentCompactionIsNot()
    {
        // The follower has not applied the leader's latest compaction yet: its hash covers other revisions.
        Assert.False(PeriodicCorruptCheck.Judge(Leader, Leader, [new PeerHash(2, 222, 5, 50, null)], null));
    }

    [Fact]
    public void AFollowerAheadOfTheLeaderIsAMismatch()
    {
        Assert.True(PeriodicCorruptCheck.Judge(Leader, Leader, [new PeerHash(2, 111, 10, 51, null)], null));
        Assert.True(PeriodicCorruptCheck.Judge(Leader, Leader, [new PeerHash(2, 999, 11, 50, null)], null));
    }

    [Fact]
    public void TheLeadersOwnHashChangingUnderTheSameRevisionIsAMismatch()
    {
        Assert.True(PeriodicCorruptCheck.Judge(Leader, Leader with { Hash = 112 }, [], null));
        // A new revision in between changes the hash legitimately.
        Assert.False(PeriodicCorruptCheck.Judge(Leader, new KvHash(112, 51, 10), [], null));
    }

    [Fact]
    public void PeersThatDidNotAnswerAreLeftOut()
    {
        Assert.False(PeriodicCorruptCheck.Judge(Leader, Leader, [new PeerHash(2, 0, 0, 0, "connection refused")], null));
    }
}
