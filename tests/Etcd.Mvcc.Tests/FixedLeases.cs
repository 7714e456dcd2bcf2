namespace Etcd.Mvcc.Tests;

/// <summary>A lease lookup that knows a fixed set of lease ids.</summary>
internal sealed class FixedLeases(params long[] ids) : ILeaseLookup
{
    private readonly HashSet<long> ids = [.. ids];

    public bool Exists(long leaseId) => ids.Contains(leaseId);
}
