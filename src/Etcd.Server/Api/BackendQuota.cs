using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Api;

/// <summary>
/// etcd's backend quota: a write that would take the database past --quota-backend-bytes is
/// refused before it is proposed (and raises the NOSPACE alarm). Costs are etcd's estimates.
/// </summary>
public static class BackendQuota
{
    // etcd's estimate of a key's metadata beyond its key and value bytes.
    private const int KeyOverhead = 256;

    // etcd's estimate of a lease's cost.
    public const int LeaseOverhead = 64;

    public static int Cost(PutRequest request) => KeyOverhead + request.Key.Length + request.Value.Length;

    /// <summary>The costlier branch's top-level puts, as etcd counts them.</summary>
    public static int Cost(TxnRequest request) => Math.Max(BranchCost(request.Success), BranchCost(request.Failure));

    private static int BranchCost(IList<RequestOp> ops)
    {
        var cost = 0;
        foreach (var op in ops)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestPut) cost += Cost(op.RequestPut);
        }
        return cost;
    }

    /// <summary>Whether a request of this cost fits; requests that write nothing always do.</summary>
    public static bool Fits(long databaseBytes, int cost, long quotaBytes) => cost == 0 || databaseBytes + cost < quotaBytes;
}
