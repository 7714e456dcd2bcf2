using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using Google.Protobuf;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Raft thesis §6.4: linearizable reads without log writes.</summary>
public sealed class ReadIndexTests
{
    private static Message ReadRequest(ulong from, ulong to, string context) =>
        Msg(from, to, MessageType.MsgReadIndex, entries: new Entry { Data = ByteString.CopyFromUtf8(context) });

    [Fact]
    public void Safe_TheLeaderAnswersOnlyAfterAQuorumAcknowledgesAHeartbeat()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Propose(1);
        net.Isolate(2);
        net.Isolate(3);

        net.Send(ReadRequest(1, 1, "ctx"));
        Assert.Empty(net[1].TakeReadStates());

        net.Recover();
        net[1].Tick(); // the next heartbeat carries the pending context
        net.Send([.. net[1].TakeMessages()]);

        var read = Assert.Single(net[1].TakeReadStates());
        Assert.Equal(2UL, read.Index);
        Assert.Equal("ctx", read.RequestContext.ToStringUtf8());
    }

    [Fact]
    public void Safe_AFollowerForwardsTheRequestAndGetsTheLeadersCommitIndex()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Propose(1);

        net.Send(ReadRequest(2, 2, "from-follower"));

        var read = Assert.Single(net[2].TakeReadStates());
        Assert.Equal(net[1].Log.Committed, read.Index);
        Assert.Equal("from-follower", read.RequestContext.ToStringUtf8());
    }

    [Fact]
    public void ANewLeaderDefersReadsUntilItCommitsAnEntryOfItsTerm()
    {
        var r = New(1, [1, 2, 3]);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();

        r.Step(ReadRequest(1, 1, "early"));
        Assert.Empty(r.TakeReadStates());
        Assert.Empty(r.Read());

        // The empty entry of this term commits: the read goes out with a heartbeat round.
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        var heartbeats = r.Read().Where(m => m.Type == MessageType.MsgHeartbeat).ToList();
        Assert.NotEmpty(heartbeats);
        Assert.All(heartbeats, m => Assert.Equal("early", m.Context.ToStringUtf8()));

        r.Step(new Message { From = 2, To = 1, Type = MessageType.MsgHeartbeatResp, Term = 1, Context = ByteString.CopyFromUtf8("early") });
        Assert.Equal(1UL, Assert.Single(r.TakeReadStates()).Index);
    }

    [Fact]
    public void LeaseBased_TheLeaderAnswersAtOnce()
    {
        var net = Network.OfSize(3, o =>
        {
            o.CheckQuorum = true;
            o.ReadOnlyOption = ReadOnlyOption.LeaseBased;
        });
        net.Campaign(1);
        net.Propose(1);
        net.Isolate(2);
        net.Isolate(3);

        net.Send(ReadRequest(1, 1, "lease"));

        Assert.Equal(2UL, Assert.Single(net[1].TakeReadStates()).Index);
    }

    [Fact]
    public void AFollowerWithoutLeaderDropsTheRequest()
    {
        var r = New(2, [1, 2, 3]);
        r.Step(ReadRequest(2, 2, "nobody"));
        Assert.Empty(r.Read());
        Assert.Empty(r.TakeReadStates());
    }

    [Fact]
    public void AnAcknowledgementConfirmsEveryEarlierPendingRead()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);
        net.Isolate(2);
        net.Isolate(3);
        net.Send(ReadRequest(1, 1, "a"));
        net.Send(ReadRequest(1, 1, "b"));
        net.Recover();

        // One heartbeat round carrying the newest context answers both.
        net[1].Tick();
        net.Send([.. net[1].TakeMessages()]);

        Assert.Equal(["a", "b"], net[1].TakeReadStates().Select(r => r.RequestContext.ToStringUtf8()));
    }
}
