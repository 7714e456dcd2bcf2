using Etcd.Raft.Raftpb;
using Google.Protobuf;

namespace Etcd.Raft.Benchmarks;

/// <summary>
/// Mirrors etcd's BenchmarkProposal3Nodes: proposals on the leader of an in-memory three-node
/// cluster, here counted only once committed and applied on all three nodes. Messages are handed
/// over in memory (no serialization), as in etcd's rafttest network.
/// </summary>
internal static class ThreeNodeBenchmark
{
    private static readonly ByteString Payload = ByteString.CopyFromUtf8("somedata");

    public static void Run(long proposals, int batch)
    {
        var peers = new List<Peer> { new(1), new(2), new(3) };
        var storages = new MemoryStorage[3];
        var nodes = new RawNode[3];
        for (int i = 0; i < 3; i++)
        {
            storages[i] = new MemoryStorage();
            nodes[i] = new RawNode(new RaftConfig
            {
                Id = (ulong)i + 1,
                ElectionTick = 10,
                HeartbeatTick = 1,
                Storage = storages[i],
                MaxInflightMsgs = 256,
                Random = new Random(i),
            });
            nodes[i].Bootstrap(peers);
        }

        var inbox = new List<Message>();
        Pump(nodes, storages, inbox);
        nodes[0].Campaign();
        Pump(nodes, storages, inbox);

        long proposed = 0;
        while (proposed < proposals)
        {
            long end = Math.Min(proposals, proposed + batch);
            for (; proposed < end; proposed++)
            {
                if (nodes[0].Propose(Payload) != RaftError.None)
                {
                    throw new InvalidOperationException("proposal dropped");
                }
            }

            Pump(nodes, storages, inbox);
        }

        ulong target = nodes[0].Status().HardState.Commit;
        for (int i = 0; i < 3; i++)
        {
            if (nodes[i].Status().Applied != target || target < (ulong)proposals)
            {
                throw new InvalidOperationException($"node {i + 1} did not apply everything");
            }
        }
    }

    /// <summary>Handles Readies and delivers messages until the cluster is quiet.</summary>
    private static void Pump(RawNode[] nodes, MemoryStorage[] storages, List<Message> inbox)
    {
        bool busy = true;
        while (busy)
        {
            busy = false;
            for (int i = 0; i < nodes.Length; i++)
            {
                while (nodes[i].HasReady())
                {
                    busy = true;
                    var rd = nodes[i].GetReady();
                    if (rd.HasHardState)
                    {
                        storages[i].SetHardState(rd.HardState);
                    }

                    storages[i].Append(rd.Entries);
                    for (int m = 0; m < rd.Messages.Count; m++)
                    {
                        inbox.Add(rd.Messages[m]);
                    }

                    foreach (var entry in rd.CommittedEntries)
                    {
                        if (entry.Type == EntryType.EntryConfChange)
                        {
                            nodes[i].ApplyConfChange(ConfChange.Parser.ParseFrom(entry.Data));
                        }
                    }

                    nodes[i].Advance(rd);
                }
            }

            for (int m = 0; m < inbox.Count; m++)
            {
                nodes[(int)inbox[m].To - 1].Step(inbox[m]);
                busy = true;
            }

            inbox.Clear();
        }
    }
}
