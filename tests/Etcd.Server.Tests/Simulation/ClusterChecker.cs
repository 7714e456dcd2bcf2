namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Checks made while the cluster runs: whenever a member's applied index moves, the store's
/// revision there must be the one every other member had at that index, and the backend's
/// consistent index must be the applier's (they are committed in one batch).
/// </summary>
internal sealed class ClusterChecker
{
    private readonly Dictionary<ulong, (long Revision, ulong Member)> _revisionAt = [];

    public void OnApplied(SimMember member)
    {
        var index = member.AppliedIndex;
        var kv = member.Kv;
        if (kv.ConsistentIndex != index)
            throw new ClusterSimFailure($"member {member.Id}: the backend's consistent index is {kv.ConsistentIndex}, the applier's applied index {index}");
        var revision = kv.CurrentRevision;
        if (_revisionAt.TryGetValue(index, out var seen))
        {
            if (seen.Revision != revision)
                throw new ClusterSimFailure($"member {member.Id} is at revision {revision} after applying index {index}, member {seen.Member} was at {seen.Revision}");
            return;
        }
        _revisionAt[index] = (revision, member.Id);
    }
}
