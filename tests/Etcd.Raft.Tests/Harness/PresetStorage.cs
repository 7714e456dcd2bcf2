using Etcd.Raft.Raftpb;

namespace Etcd.Raft.Tests.Harness;

/// <summary>
/// A <see cref="MemoryStorage"/> that starts with a given membership, as if restored from an empty
/// snapshot carrying it, so unit tests can begin at index 0 without bootstrap entries.
/// </summary>
internal sealed class PresetStorage(ConfState confState) : IRaftStorage
{
    public MemoryStorage Inner { get; } = new();

    public static PresetStorage WithVoters(params ulong[] voters)
    {
        var cs = new ConfState();
        cs.Voters.AddRange(voters);
        return new PresetStorage(cs);
    }

    public static PresetStorage WithMembers(ulong[] voters, ulong[] learners)
    {
        var cs = new ConfState();
        cs.Voters.AddRange(voters);
        cs.Learners.AddRange(learners);
        return new PresetStorage(cs);
    }

    public (HardState HardState, ConfState ConfState) InitialState()
    {
        var (hs, cs) = Inner.InitialState();
        bool fromSnapshot = cs.Voters.Count > 0 || cs.Learners.Count > 0;
        return (hs, fromSnapshot ? cs : confState);
    }

    public IReadOnlyList<Entry> Entries(ulong lo, ulong hi, ulong maxSize) => Inner.Entries(lo, hi, maxSize);

    public ulong Term(ulong index) => Inner.Term(index);

    public ulong FirstIndex() => Inner.FirstIndex();

    public ulong LastIndex() => Inner.LastIndex();

    public Snapshot Snapshot() => Inner.Snapshot();
}
