using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Replication;

namespace Etcd.Server.Tests.Raft;

public sealed class RaftLogRecoveryTests
{
    // Found by the whole-cluster simulator: a member killed after saving a received snapshot but
    // before saving the hard state that commits it could never start again ("state.commit 19 is
    // out of range [33, 33]").
    [Fact]
    public void HardStateBehindTheSnapshot_IsRaisedToIt_SoRaftStarts()
    {
        var storage = new MemoryStorage();
        var snapshot = new Snapshot { Metadata = new SnapshotMetadata { Index = 33, Term = 3, ConfState = new ConfState { Voters = { 1, 2, 3 } } } };

        var applied = RaftLogRecovery.Load(storage, new RecoveredLog(snapshot, new HardState { Term = 2, Vote = 2, Commit = 19 }, []));
        var node = new RawNode(new RaftConfig { Id = 1, Storage = storage, Applied = applied, Random = new Random(1) });

        Assert.Equal(33UL, applied);
        Assert.Equal(33UL, node.Status().HardState.Commit);
        Assert.Equal(2UL, node.Status().HardState.Term);
        Assert.Equal(2UL, node.Status().HardState.Vote);
    }

    [Fact]
    public void EntriesAfterTheSnapshot_FollowIt()
    {
        var storage = new MemoryStorage();
        var snapshot = new Snapshot { Metadata = new SnapshotMetadata { Index = 10, Term = 1, ConfState = new ConfState { Voters = { 1 } } } };

        RaftLogRecovery.Load(storage, new RecoveredLog(snapshot, new HardState { Term = 1, Commit = 12 }, [new Entry { Index = 11, Term = 1 }, new Entry { Index = 12, Term = 1 }]));

        Assert.Equal(11UL, storage.FirstIndex());
        Assert.Equal(12UL, storage.LastIndex());
        Assert.Equal(12UL, storage.InitialState().HardState.Commit);
    }
}
