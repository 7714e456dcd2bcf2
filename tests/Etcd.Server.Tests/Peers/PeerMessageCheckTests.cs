using Etcd.Api.Etcdserverpb;
using Etcd.Raft.Raftpb;
using Etcd.Server.Membership;
using Etcd.Server.Peers;
using Google.Protobuf;

namespace Etcd.Server.Tests.Peers;

public sealed class PeerMessageCheckTests
{
    /// <summary>The check of member 1 in a cluster of members 1, 2 and 3, where 4 was removed.</summary>
    internal static PeerMessageCheck CheckOfMember1
    {
        get
        {
            var members = new ClusterMembers(0xc1);
            foreach (var id in new ulong[] { 1, 2, 3, 4 }) members.Add(new Etcd.Server.Membership.Member { Id = id, Name = "m" + id, PeerUrls = [$"http://127.0.0.1:{2380 + id}"] });
            members.Remove(4);
            return new PeerMessageCheck(1, members);
        }
    }

    private static Message Heartbeat(ulong from, ulong to = 1) => new() { Type = MessageType.MsgHeartbeat, From = from, To = to, Term = 5 };

    private static Message Proposal(ulong from, params InternalRaftRequest[] requests)
    {
        var message = new Message { Type = MessageType.MsgProp, From = from, To = 1 };
        foreach (var request in requests) message.Entries.Add(new Entry { Type = EntryType.EntryNormal, Data = request.ToByteString() });
        return message;
    }

    [Fact]
    public void AMembersOwnMessagesPass()
    {
        var check = CheckOfMember1;
        Assert.Null(check.Refusal(Heartbeat(2), sender: 2));
        Assert.Null(check.Refusal(new Message { Type = MessageType.MsgApp, From = 3, To = 1, Entries = { new Entry { Data = ByteString.CopyFrom(1, 2, 3) } } }, sender: 3));
        var put = new InternalRaftRequest { Header = new RequestHeader { ID = 7, Username = "alice" }, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k") } };
        Assert.Null(check.Refusal(Proposal(2, put), sender: 2));
    }

    [Theory]
    [InlineData(3UL, 2UL, 1UL)] // From another member than the stream was admitted for
    [InlineData(2UL, 2UL, 3UL)] // meant for another member
    [InlineData(9UL, 9UL, 1UL)] // a stranger
    [InlineData(4UL, 4UL, 1UL)] // a removed member
    [InlineData(1UL, 1UL, 1UL)] // "from" this member itself
    public void MessagesNotFromAMemberForUsAreRefused(ulong from, ulong sender, ulong to)
    {
        Assert.NotNull(CheckOfMember1.Refusal(Heartbeat(from, to), sender));
    }

    [Theory]
    [InlineData(MessageType.MsgHup)]
    [InlineData(MessageType.MsgBeat)]
    [InlineData(MessageType.MsgUnreachable)]
    [InlineData(MessageType.MsgSnapStatus)]
    [InlineData(MessageType.MsgCheckQuorum)]
    public void AMembersLocalInputsNeverComeFromAPeer(MessageType type)
    {
        Assert.NotNull(CheckOfMember1.Refusal(new Message { Type = type, From = 2, To = 1 }, sender: 2));
    }

    [Fact]
    public void AForwardedProposalMayNotCarryAnAuthenticate()
    {
        var put = new InternalRaftRequest { Header = new RequestHeader { ID = 7 }, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k") } };
        var authenticate = new InternalRaftRequest { Header = new RequestHeader { ID = 8 }, Authenticate = new InternalAuthenticateRequest { Name = "root", SimpleToken = "forgedforgedforg" } };
        Assert.NotNull(CheckOfMember1.Refusal(Proposal(2, authenticate), sender: 2));
        // Hidden behind an ordinary request in the same message, too.
        Assert.NotNull(CheckOfMember1.Refusal(Proposal(2, put, authenticate), sender: 2));
        // Garbage is not a request a follower forwards.
        var garbage = new Message { Type = MessageType.MsgProp, From = 2, To = 1, Entries = { new Entry { Data = ByteString.CopyFrom(0xFF, 0xFF) } } };
        Assert.NotNull(CheckOfMember1.Refusal(garbage, sender: 2));
    }

    [Fact]
    public void AJoiningMemberHearsTheRunningClusterBeforeItsLogNamesIt()
    {
        var check = new PeerMessageCheck(5, new ClusterMembers(0xc1));
        Assert.NotNull(check.Refusal(Heartbeat(2, to: 5), sender: 2));
        check.JoiningCluster([1, 2]);
        Assert.Null(check.Refusal(Heartbeat(2, to: 5), sender: 2));
        Assert.NotNull(check.Refusal(Heartbeat(9, to: 5), sender: 9));
    }
}
