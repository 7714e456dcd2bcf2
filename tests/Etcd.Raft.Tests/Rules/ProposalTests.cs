using Etcd.Raft.Raftpb;
using Etcd.Raft.Tests.Harness;
using Google.Protobuf;
using static Etcd.Raft.Tests.Harness.Rafts;

namespace Etcd.Raft.Tests.Rules;

/// <summary>Proposals: forwarding, the no-leader error, and the uncommitted-size limit.</summary>
public sealed class ProposalTests
{
    [Fact]
    public void AFollowerForwardsProposalsToTheLeader()
    {
        var net = Network.OfSize(3);
        net.Campaign(1);

        net.Propose(2, "via follower");

        Assert.Equal(2UL, net[1].Log.Committed);
        Assert.Equal(net[1].LogTerms(), net[2].LogTerms());
    }

    [Fact]
    public void WithoutALeaderProposalsFailWithProposalDropped()
    {
        var r = New(1, [1, 2, 3]);
        Assert.Equal(RaftError.ProposalDropped, r.Step(Prop(1)));

        r.BecomeCandidate();
        Assert.Equal(RaftError.ProposalDropped, r.Step(Prop(1)));
    }

    [Fact]
    public void WithForwardingDisabledAFollowerDropsProposals()
    {
        var net = Network.OfSize(3, o => o.DisableProposalForwarding = true);
        net.Campaign(1);

        Assert.Equal(RaftError.ProposalDropped, net[2].Step(Prop(2)));
    }

    [Fact]
    public void TheUncommittedTailIsBoundedInBytes()
    {
        var r = New(1, [1, 2, 3], options: o => o.MaxUncommittedSize = 10);
        r.BecomeCandidate();
        r.BecomeLeader();

        Assert.Equal(RaftError.None, r.Step(Prop(1, "123456")));
        Assert.Equal(RaftError.ProposalDropped, r.Step(Prop(1, "123456")));

        // Once entries commit, room frees up again.
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 2));
        r.Advance(0, [Ent(1, 2, "123456")], [], 0);
        Assert.Equal(RaftError.None, r.Step(Prop(1, "123456")));
    }

    [Fact]
    public void AnOversizedProposalIsAdmittedWhenNothingIsUncommitted()
    {
        var r = New(1, [1, 2, 3], options: o => o.MaxUncommittedSize = 4);
        r.BecomeCandidate();
        r.BecomeLeader();

        Assert.Equal(RaftError.None, r.Step(Prop(1, "much larger than four bytes")));
    }

    [Fact]
    public void RawNodeRejectsLocalMessageTypesAndResponsesFromStrangers()
    {
        var node = new RawNode(new RaftConfig { Id = 1, Storage = PresetStorage.WithVoters(1, 2), Random = new Random(1) });

        Assert.Equal(RaftError.StepLocalMessage, node.Step(new Message { Type = MessageType.MsgHup }));
        Assert.Equal(RaftError.StepPeerNotFound, node.Step(new Message { Type = MessageType.MsgAppResp, From = 9, Term = 1 }));
    }

    [Fact]
    public void ProposalsAreBatchedIntoSizeLimitedAppends()
    {
        var r = New(1, [1, 2], options: o => o.MaxSizePerMsg = 40);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        var pr = r.Tracker.Get(2)!;

        // Pause the follower (an outstanding probe) while ten proposals queue up.
        pr.BecomeProbe();
        pr.ProbeSent = true;
        for (int i = 0; i < 10; i++)
        {
            r.Step(Prop(1, "0123456789"));
        }

        r.Read();

        // A heartbeat answer releases one size-limited probe; acknowledging it streams the rest.
        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: 1));
        var appends = r.Read().Where(m => m.Type == MessageType.MsgApp).ToList();
        var probe = Assert.Single(appends);
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: probe.Entries[^1].Index));
        appends.AddRange(r.Read().Where(m => m.Type == MessageType.MsgApp && m.Entries.Count > 0));

        Assert.True(appends.Count > 2, "a size limit splits the backlog over several messages");
        Assert.All(appends, m => Assert.InRange(m.Entries.Count, 1, 3));
        Assert.Equal(10, appends.Sum(m => m.Entries.Count));
    }

    [Fact]
    public void RawNodeProposeConfChangeUsesTheMatchingEntryType()
    {
        var storage = new MemoryStorage();
        var node = new RawNode(new RaftConfig { Id = 1, Storage = storage, Random = new Random(1) });
        node.Bootstrap([new Peer(1)]);
        void Drain()
        {
            while (node.HasReady())
            {
                var ready = node.GetReady();
                storage.Append(ready.Entries);
                node.Advance(ready);
            }
        }

        // The bootstrap configuration must be applied before the node may campaign.
        Drain();
        node.Campaign();
        Drain();

        node.ProposeConfChange(new ConfChange { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = 2, Context = ByteString.CopyFromUtf8("x") });

        var rd = node.GetReady();
        Assert.Equal(EntryType.EntryConfChange, rd.Entries[^1].Type);
    }

    [Fact]
    public void MalformedProposalsAndReadRequestsFromPeersAreRefusedNotFatal()
    {
        var r = New(1, [1, 2]);
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Read();

        Assert.Equal(RaftError.ProposalDropped, r.Step(Msg(2, 1, MessageType.MsgProp)));
        Assert.Equal(RaftError.None, r.Step(Msg(2, 1, MessageType.MsgReadIndex)));

        // A conf change that does not decode is kept out of the log (an empty entry takes its place).
        r.Log.AppliedTo(r.Log.Committed);
        r.Step(Msg(2, 1, MessageType.MsgProp, entries: new Entry { Type = EntryType.EntryConfChangeV2, Data = ByteString.CopyFrom(0xFF, 0xFF) }));
        Assert.Equal(EntryType.EntryNormal, r.Log.Unstable.Entries[^1].Type);
    }
}
