using Google.Protobuf;

namespace Etcd.Raft.Benchmarks;

/// <summary>
/// Mirrors etcd's BenchmarkOneNode: a single voter proposes entries and the application loop
/// persists each Ready's entries to MemoryStorage and advances. etcd runs the proposer in its own
/// goroutine, so proposals accumulate while a Ready is handled; here one thread alternates between
/// proposing a batch and handling the Ready, for several batch sizes.
/// </summary>
internal static class OneNodeBenchmark
{
    private static readonly ByteString Payload = ByteString.CopyFromUtf8("foo");

    public static void Run(long proposals, int batch)
    {
        var storage = new MemoryStorage();
        var node = new RawNode(new RaftConfig { Id = 1, ElectionTick = 10, HeartbeatTick = 1, Storage = storage, Random = new Random(1) });
        node.Bootstrap([new Peer(1)]);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);

        long proposed = 0;
        while (proposed < proposals)
        {
            long end = Math.Min(proposals, proposed + batch);
            for (; proposed < end; proposed++)
            {
                if (node.Propose(Payload) != RaftError.None)
                {
                    throw new InvalidOperationException("proposal dropped");
                }
            }

            Drain(node, storage);
        }

        if (node.Status().Applied < (ulong)proposals)
        {
            throw new InvalidOperationException("not everything was applied");
        }
    }

    private static void Drain(RawNode node, MemoryStorage storage)
    {
        while (node.HasReady())
        {
            var rd = node.GetReady();
            if (rd.HasHardState)
            {
                storage.SetHardState(rd.HardState);
            }

            storage.Append(rd.Entries);
            node.Advance(rd);
        }
    }
}
