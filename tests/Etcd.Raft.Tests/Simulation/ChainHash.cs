using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// A running hash over a log prefix: equal hashes at an index mean equal prefixes (with
/// overwhelming probability), which makes prefix comparisons O(1).
/// </summary>
internal static class ChainHash
{
    public static ulong Extend(ulong previous, Entry entry)
    {
        ulong h = previous ^ 0x9E3779B97F4A7C15UL;
        h = Mix(h ^ entry.Term);
        h = Mix(h ^ entry.Index);
        h = Mix(h ^ (ulong)entry.Type);
        foreach (byte b in entry.Data.Span)
        {
            h = (h ^ b) * 0x100000001B3UL;
        }

        return Mix(h);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        return x ^ (x >> 33);
    }
}
