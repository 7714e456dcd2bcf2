using Etcd.Mvcc;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Api;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Storage.Backend.Memory;
using Google.Protobuf;

namespace Etcd.Server.Tests.Peers;

/// <summary>
/// Configuration changes are decided from the log alone, so a replay after a restart (backend
/// already has the entries) decides exactly as the first application did.
/// </summary>
public sealed class MembershipApplierTests
{
    private const ulong Local = 1;

    private static ConfChange Add(ulong id, bool learner = false) => new()
    {
        Type = learner ? ConfChangeType.ConfChangeAddLearnerNode : ConfChangeType.ConfChangeAddNode,
        NodeId = id,
        Context = ByteString.CopyFrom(new MemberContext { Id = id, PeerUrls = [$"http://10.0.0.{id}:2380"] }.ToJson()),
    };

    private static ConfChange Promote(ulong id) => new()
    {
        Type = ConfChangeType.ConfChangeAddNode,
        NodeId = id,
        Context = ByteString.CopyFrom(new MemberContext { Id = id, IsPromote = true }.ToJson()),
    };

    private static ConfChange Remove(ulong id) => new() { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id };

    private static readonly ConfChange[] Log =
    [
        Add(1), Add(2), Add(3, learner: true),
        Promote(2),      // not a learner: refused
        Promote(3),
        Add(2),          // exists: refused
        Remove(9),       // unknown: refused
        Remove(3), Remove(2),
        Remove(1),       // the last voter: refused
        Promote(3),      // removed: refused
    ];

    private static (List<string> Outcomes, ClusterMembers Members, ConfState State) Run(bool backendHasIt)
    {
        var members = new ClusterMembers(7);
        var applier = new MembershipApplier(members, ZapLogger.Discard, Local);
        applier.Reset(new ConfState());
        var node = new RawNode(new RaftConfig { Id = Local, Storage = new MemoryStorage(), Random = new Random(1) });
        using var backend = new MemoryBackend();
        using var kv = new KvStore(backend);
        var outcomes = new List<string>();
        ConfState state = new();
        foreach (var change in Log)
        {
            using var batch = kv.BeginApply();
            var (next, result) = applier.Apply(batch, change.Clone(), node, backendHasIt);
            batch.Commit();
            state = next;
            outcomes.Add(result.Error?.Message ?? "ok");
        }
        return (outcomes, members, state);
    }

    [Fact]
    public void DecidesAsEtcdDoes()
    {
        var (outcomes, members, state) = Run(backendHasIt: false);
        Assert.Equal(
        [
            "ok", "ok", "ok",
            "etcdserver: can only promote a learner member",
            "ok",
            "etcdserver: member ID already exist",
            "etcdserver: member not found",
            "ok", "ok",
            "etcdserver: re-configuration failed due to not enough started members",
            "etcdserver: member not found",
        ], outcomes);
        Assert.Equal([1UL], state.Voters);
        Assert.Empty(state.Learners);
        Assert.Equal([1UL], members.All.Select(m => m.Id));
        Assert.True(members.IsRemoved(2) && members.IsRemoved(3));
    }

    [Fact]
    public void ReplayDecidesTheSame()
    {
        var first = Run(backendHasIt: false);
        var replay = Run(backendHasIt: true);
        Assert.Equal(first.Outcomes, replay.Outcomes);
        Assert.Equal(first.State, replay.State);
        // A replay leaves the member list alone: it was loaded from the backend with the changes in it.
        Assert.Empty(replay.Members.All);
    }
}
