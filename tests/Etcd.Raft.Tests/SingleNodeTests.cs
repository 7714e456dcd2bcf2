using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft.Tests;

public sealed class SingleNodeTests
{
    [Fact]
    public void SingleVoter_ElectsItself_AndCommitsProposals()
    {
        var storage = new MemoryStorage();
        var node = new RawNode(new RaftConfig { Id = 1, Storage = storage, Random = new Random(1) });
        node.Bootstrap([new Peer(1)]);
        var applied = new List<Entry>();

        void Drain()
        {
            while (node.HasReady())
            {
                var rd = node.GetReady();
                if (rd.HasHardState)
                {
                    storage.SetHardState(rd.HardState);
                }

                storage.Append(rd.Entries);
                applied.AddRange(rd.CommittedEntries);
                node.Advance(rd);
            }
        }

        Drain();
        Assert.Equal(RaftError.None, node.Campaign());
        Drain();
        Assert.Equal(RaftState.Leader, node.Status().SoftState.RaftState);

        Assert.Equal(RaftError.None, node.Propose(ByteString.CopyFromUtf8("foo")));
        Drain();

        Assert.Equal("foo", applied[^1].Data.ToStringUtf8());
        Assert.Equal(3UL, applied[^1].Index); // bootstrap conf change, leader's empty entry, foo
        Assert.Equal(3UL, storage.LastIndex());
        Assert.Equal(3UL, node.Status().Applied);
    }
}
