using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft thesis §3.10: leadership transfer.</summary>
public sealed class LeaderTransferTests
{
    private static Message Transfer(ulong transferee, ulong leader) => Msg(transferee, leader, MessageType.MsgTransferLeader);

    [Fact]
    public void AnUpToDateTransfereeBecomesLeaderAtOnce()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);

        net.Send(Transfer(2, 1));

        Assert.Equal(RaftState.Leader, net[2].State);
        Assert.Equal(RaftState.Follower, net[1].State);
        Assert.Equal(2UL, net[2].Term);
    }

    [Fact]
    public void ALaggingTransfereeIsCaughtUpFirst()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Isolate(3);
        net.Propose(1);
        net.Recover();

        net.Send(Transfer(3, 1));

        Assert.Equal(RaftState.Leader, net[3].State);
        Assert.Equal(1UL, net[3].Log.TermOrZero(2)); // it received the entry it lacked
    }

    [Fact]
    public void ProposalsAreDroppedWhileATransferIsInProgress()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Isolate(3);
        net[1].Step(Transfer(3, 1));

        Assert.Equal(3UL, net[1].LeadTransferee);
        Assert.Equal(RaftError.ProposalDropped, net[1].Step(Prop(1)));
    }

    [Fact]
    public void ATransferThatDoesNotFinishWithinAnElectionTimeoutIsAbandoned()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Isolate(3);
        net[1].Step(Transfer(3, 1));
        Assert.Equal(3UL, net[1].LeadTransferee);

        for (int i = 0; i < net[1].ElectionTimeout; i++)
        {
            net[1].Tick();
        }

        Assert.Equal(0UL, net[1].LeadTransferee);
        Assert.Equal(RaftState.Leader, net[1].State);
        Assert.Equal(RaftError.None, net[1].Step(Prop(1)));
    }

    [Fact]
    public void TransferToSelfOrToALearnerIsIgnored()
    {
        var r = New(1, PresetStorage.WithMembers([1, 2], [3]));
        r.BecomeCandidate();
        r.BecomeLeader();

        r.Step(Transfer(1, 1));
        r.Step(Transfer(3, 1));

        Assert.Equal(0UL, r.LeadTransferee);
    }

    [Fact]
    public void AFollowerForwardsTheTransferRequestToTheLeader()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);

        net.Send(Transfer(3, 2));

        Assert.Equal(RaftState.Leader, net[3].State);
    }

    [Fact]
    public void TimeoutNowOverridesTheLeaderLeaseOfOtherFollowers()
    {
        var net = Network.OfSize(3, o => o.CheckQuorum = true);
        net.Campaign(1);

        net.Send(Transfer(2, 1));

        Assert.Equal(RaftState.Leader, net[2].State);
    }
}
