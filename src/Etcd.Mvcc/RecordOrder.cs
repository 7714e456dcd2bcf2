using Etcd.Api.Etcdserverpb;

namespace Etcd.Mvcc;

/// <summary>
/// Orders range results by a sort target. Ties keep key order in both directions, which is
/// what etcd's sort gives for small results and a stable, predictable rule for large ones.
/// </summary>
internal readonly struct RecordOrder(RangeRequest.Types.SortTarget target, bool descending) : IComparer<RangeSlot>
{
    public int Compare(RangeSlot x, RangeSlot y)
    {
        int order = target switch
        {
            RangeRequest.Types.SortTarget.Key => x.Record!.Key.Span.SequenceCompareTo(y.Record!.Key.Span),
            RangeRequest.Types.SortTarget.Version => x.Record!.Version.CompareTo(y.Record!.Version),
            RangeRequest.Types.SortTarget.Create => x.Record!.CreateRevision.CompareTo(y.Record!.CreateRevision),
            RangeRequest.Types.SortTarget.Mod => x.Record!.ModRevision.CompareTo(y.Record!.ModRevision),
            RangeRequest.Types.SortTarget.Value => x.Record!.Value.Span.SequenceCompareTo(y.Record!.Value.Span),
            _ => 0,
        };
        if (descending)
        {
            order = -order;
        }
        return order != 0 ? order : x.Order.CompareTo(y.Order);
    }
}
