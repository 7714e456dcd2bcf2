namespace Etcd.Compat.Tests;

/// <summary>
/// Which peer connections the proxies of a test cluster let through: with a member isolated,
/// nobody reaches it and it reaches nobody. The proxies tell who is connecting by the process that
/// owns the connecting socket (all members share 127.0.0.1).
/// </summary>
public sealed class ClusterPartitions(Func<IReadOnlyList<ClusterMember>> members)
{
    private volatile ClusterMember? _isolated;

    public IReadOnlyList<ClusterMember> Members => members();

    public void Isolate(ClusterMember member) => _isolated = member;

    public void Heal() => _isolated = null;

    /// <summary>Whether the member running as <paramref name="fromProcess"/> (0: not a member) may reach <paramref name="to"/>.</summary>
    public bool Allows(int fromProcess, ClusterMember to)
    {
        var isolated = _isolated;
        if (isolated is null) return true;
        if (to == isolated) return false;
        return fromProcess == 0 || fromProcess != isolated.ProcessId;
    }
}
