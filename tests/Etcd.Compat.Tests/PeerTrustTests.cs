using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Raft.Raftpb;
using Etcd.Server.Peers.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Metadata = Grpc.Core.Metadata;

namespace Etcd.Compat.Tests;

/// <summary>
/// Raw calls to a member's peer port from someone who is not a member: the wrong cluster id is
/// refused with etcd's answer, messages from a stranger change nothing, a forged Authenticate
/// proposal (even in a real member's name) mints no token, and a forged MemberPromote needs root.
/// Meanwhile the real members authenticate through a follower as before.
/// </summary>
public sealed class PeerTrustTests : IAsyncLifetime
{
    private ClusterOfProcesses _cluster = null!;
    private ClusterMember _leader = null!;
    private ClusterMember _follower = null!;
    private ulong _clusterId;
    private ulong _leaderId;
    private ulong _followerId;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3);
        _leader = await _cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        _follower = _cluster.Members.First(m => m != _leader);
        var statuses = await _cluster.StatusesAsync();
        _clusterId = statuses[_leader]!.Header.ClusterId;
        _leaderId = statuses[_leader]!.Header.MemberId;
        _followerId = statuses[_follower]!.Header.MemberId;
        foreach (var step in new[] { "user add root:rootpw", "user grant-role root root", "auth enable" })
        {
            var result = await _cluster.Ctl().RunAsync(step.Split(' '));
            Assert.True(result.ExitCode == 0, $"etcdctl {step}: {result}");
        }
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private Metadata PeerHeaders(ulong clusterId, ulong from) => new()
    {
        { "x-etcd-cluster-id", Hex(clusterId) },
        { "x-server-from", Hex(from) },
        { "x-raft-to", Hex(_leaderId) },
        { "x-peerurls", "http://127.0.0.1:1" },
        { "x-server-version", "3.4.23" },
    };

    private async Task SendAsync(Metadata headers, params Message[] messages)
    {
        using var channel = GrpcChannel.ForAddress(_leader.PeerUrl);
        var client = new RaftPeer.RaftPeerClient(channel);
        using var call = client.Stream(headers, deadline: DateTime.UtcNow.AddSeconds(10));
        var batch = new MessageBatch();
        batch.Messages.Add(messages);
        await call.RequestStream.WriteAsync(batch);
        await call.RequestStream.CompleteAsync();
        await call.ResponseAsync;
    }

    private Message Proposal(ulong from, InternalRaftRequest request) => new()
    {
        Type = MessageType.MsgProp,
        From = from,
        To = _leaderId,
        Entries = { new Entry { Type = EntryType.EntryNormal, Data = request.ToByteString() } },
    };

    private static InternalRaftRequest ForgedPut(string key) => new()
    {
        Header = new RequestHeader { ID = 0x7eed0001, Username = "root" },
        Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8("forged") },
    };

    private async Task<EtcdClient> RootAsync(ClusterMember member) =>
        await EtcdClient.ConnectAsync(new EtcdClientOptions { Endpoints = [member.ClientUrl], Username = "root", Password = "rootpw" });

    /// <summary>A write through Raft after the forged traffic, so whatever the leader appended before it is applied when it returns.</summary>
    private async Task<long> FenceAsync()
    {
        using var root = await RootAsync(_leader);
        return (await root.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("fence"), Value = ByteString.CopyFromUtf8("x") })).Header.Revision;
    }

    [Fact]
    public async Task AnotherClustersIdIsRefusedWithEtcdsAnswer()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => SendAsync(PeerHeaders(_clusterId ^ 1, _followerId), Proposal(_followerId, ForgedPut("forged/cluster"))));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("cluster ID mismatch", refused.Status.Detail);
        Assert.Equal(Hex(_clusterId), refused.Trailers.GetValue("x-etcd-cluster-id"));
        await FenceAsync();
        using var root = await RootAsync(_leader);
        Assert.Empty((await root.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("forged/cluster") })).Kvs);
    }

    [Fact]
    public async Task MessagesFromAStrangerOrUnderAnotherNameChangeNothing()
    {
        const ulong stranger = 0x5742a9;
        // A stranger in its own name; a stranger whose messages name a member the stream is not
        // for; a member's name in a message sent as "from" the leader itself.
        await SendAsync(PeerHeaders(_clusterId, stranger), Proposal(stranger, ForgedPut("forged/stranger")),
            new Message { Type = MessageType.MsgApp, From = stranger, To = _leaderId, Term = 1000, Entries = { new Entry { Term = 1000, Index = 1000, Data = ForgedPut("forged/app").ToByteString() } } });
        await SendAsync(PeerHeaders(_clusterId, stranger), Proposal(_followerId, ForgedPut("forged/renamed")));
        await SendAsync(PeerHeaders(_clusterId, _leaderId), Proposal(_leaderId, ForgedPut("forged/self")));
        await FenceAsync();
        using var root = await RootAsync(_leader);
        Assert.Empty((await root.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("forged/"), RangeEnd = ByteString.CopyFromUtf8("forged0") })).Kvs);
        // The leader kept its term: the MsgApp of term 1000 was not stepped.
        var status = await root.Maintenance.StatusAsync(new StatusRequest());
        Assert.True(status.RaftTerm < 1000, status.ToString());
        Assert.Equal(status.Header.MemberId, status.Leader);
    }

    [Fact]
    public async Task AForgedAuthenticateMintsNoToken()
    {
        const string prefix = "forgedforgedforg";
        var authenticate = new InternalRaftRequest
        {
            Header = new RequestHeader { ID = 0x7eed0002 },
            Authenticate = new InternalAuthenticateRequest { Name = "root", SimpleToken = prefix },
        };
        // In a real member's name, on the stream that member would use.
        await SendAsync(PeerHeaders(_clusterId, _followerId), Proposal(_followerId, authenticate));
        await FenceAsync();
        using var root = await RootAsync(_leader);
        var index = (await root.Maintenance.StatusAsync(new StatusRequest())).RaftIndex;
        using var anyone = EtcdClient.Create(new EtcdClientOptions { Endpoints = [_leader.ClientUrl] });
        for (var i = 1UL; i <= index; i++)
        {
            var token = new Metadata { { "token", $"{prefix}.{i}" } };
            var refused = await Assert.ThrowsAsync<RpcException>(() => anyone.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("fence") }, token).ResponseAsync);
            Assert.Equal("etcdserver: invalid auth token", refused.Status.Detail);
        }
    }

    [Fact]
    public async Task AForgedPromoteNeedsRoot()
    {
        using var root = await RootAsync(_leader);
        // A member just started counts as connected only after a while (etcd's strict reconfiguration check).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Etcd.Api.Etcdserverpb.Member learner;
        while (true)
        {
            try
            {
                learner = (await root.Cluster.MemberAddAsync(new MemberAddRequest { PeerURLs = { "http://127.0.0.1:9" }, IsLearner = true })).Member;
                break;
            }
            catch (RpcException e) when (e.Status.Detail == "etcdserver: unhealthy cluster" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        using var channel = GrpcChannel.ForAddress(_leader.PeerUrl);
        var client = new RaftPeer.RaftPeerClient(channel);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.PromoteAsync(new PromoteRequest { Id = learner.ID }, PeerHeaders(_clusterId, _followerId)).ResponseAsync);
        // Refused as etcd refuses a request without a user, before readiness is even looked at.
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("etcdserver: user name is empty", refused.Status.Detail);
        var members = await root.Cluster.MemberListAsync(new MemberListRequest());
        Assert.True(members.Members.Single(m => m.ID == learner.ID).IsLearner);
    }

    [Fact]
    public async Task RealMembersStillAuthenticateThroughAFollower()
    {
        var put = await _cluster.Ctl(_follower.ClientUrl).RunAsync("--user", "root:rootpw", "put", "through-follower", "yes");
        Assert.True(put.ExitCode == 0, put.ToString());
        var get = await _cluster.Ctl(_follower.ClientUrl).RunAsync("--user", "root:rootpw", "get", "through-follower", "--print-value-only");
        Assert.Equal("yes\n", get.Stdout);
        var wrong = await _cluster.Ctl(_follower.ClientUrl).RunAsync("--user", "root:nope", "get", "through-follower");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("authentication failed, invalid user ID or password", wrong.Stderr);
    }
}
