using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Replication;

namespace Etcd.Server.Tests.Raft;

public sealed class ReadIndexRoundsTests
{
    [Fact]
    public void TheLeadersAnswerToARoundOfThePreviousProcessReleasesNoReaderOfTheNewOne()
    {
        var (node, storage) = SingleLeader();
        var start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        // The process before the restart asks for a read index; the answer is delayed.
        var before = new ReadIndexRounds(ZapLogger.Discard, new RequestIdGenerator(1, start));
        _ = before.WaitAsync(CancellationToken.None, out _);
        before.Issue(node);
        var late = Drain(node, storage);
        Assert.Single(late);

        // The restarted process asks again, and the old answer arrives first.
        var after = new ReadIndexRounds(ZapLogger.Discard, new RequestIdGenerator(1, start.AddSeconds(3)));
        var reader = after.WaitAsync(CancellationToken.None, out _);
        after.Issue(node);
        after.Accept(late[0]);
        after.Release(ulong.MaxValue);
        Assert.False(reader.IsCompleted);

        foreach (var state in Drain(node, storage)) after.Accept(state);
        after.Release(ulong.MaxValue);
        Assert.True(reader.IsCompletedSuccessfully);
    }

    private static (RawNode Node, MemoryStorage Storage) SingleLeader()
    {
        var storage = new MemoryStorage();
        var node = new RawNode(new RaftConfig { Id = 1, Storage = storage, Random = new Random(1) });
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        return (node, storage);
    }

    private static List<ReadState> Drain(RawNode node, MemoryStorage storage)
    {
        var states = new List<ReadState>();
        while (node.HasReady())
        {
            var ready = node.GetReady();
            if (ready.HasHardState) storage.SetHardState(ready.HardState);
            storage.Append(ready.Entries);
            states.AddRange(ready.ReadStates);
            node.Advance(ready);
        }
        return states;
    }
}
