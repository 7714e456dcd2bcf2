using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>
/// etcd's range semantics, split around the index lock: <see cref="ReadRevision"/> and
/// <see cref="RangeScan.Collect"/> run under it; <see cref="Complete"/> (loading, filtering,
/// sorting, limiting) runs after it.
/// </summary>
internal static class RangeQuery
{
    /// <summary>
    /// The revision a read asking for <paramref name="requested"/> sees, given the newest revision
    /// <paramref name="current"/> and the compaction revision <paramref name="compacted"/>.
    /// </summary>
    public static long ReadRevision(long requested, long current, long compacted)
    {
        if (requested > current)
        {
            throw new MvccException(MvccErrorKind.FutureRevision);
        }
        long revision = requested <= 0 ? current : requested;
        // Reading at the compaction revision itself is allowed: compaction keeps what it shows.
        if (revision < compacted)
        {
            throw new MvccException(MvccErrorKind.Compacted);
        }
        return revision;
    }

    /// <summary>
    /// Builds the response from a collected scan. <paramref name="loader"/> may be null only when
    /// the scan needs no loading. The header carries <paramref name="headerRevision"/>, which is
    /// the store's revision, not the read revision, as in etcd.
    /// </summary>
    public static RangeResponse Complete(ref RangeScan scan, RangeRequest request, long headerRevision, IRecordLoader? loader)
    {
        if (scan.NeedsLoad)
        {
            scan.Load(loader ?? throw new InvalidOperationException("records to load but no loader"));
        }
        Filter(ref scan, request);
        Sort(scan.Slots, request);

        var response = new RangeResponse
        {
            Header = new ResponseHeader { Revision = headerRevision },
            Count = scan.Total,
        };
        if (request.Limit > 0 && scan.SlotCount > request.Limit)
        {
            scan.Truncate((int)request.Limit);
            response.More = true;
        }
        Span<RangeSlot> slots = scan.Slots;
        response.Kvs.Capacity = slots.Length;
        foreach (ref RangeSlot slot in slots)
        {
            response.Kvs.Add(request.KeysOnly ? Records.WithoutValue(slot.Record!) : slot.Record!);
        }
        return response;
    }

    /// <summary>Drops records outside the min/max mod and create revision bounds (0: no bound).</summary>
    private static void Filter(ref RangeScan scan, RangeRequest request)
    {
        if (request.MinModRevision == 0 && request.MaxModRevision == 0
            && request.MinCreateRevision == 0 && request.MaxCreateRevision == 0)
        {
            return;
        }
        Span<RangeSlot> slots = scan.Slots;
        int kept = 0;
        foreach (ref RangeSlot slot in slots)
        {
            KeyValue record = slot.Record!;
            bool drop = (request.MaxModRevision != 0 && record.ModRevision > request.MaxModRevision)
                || (request.MinModRevision != 0 && record.ModRevision < request.MinModRevision)
                || (request.MaxCreateRevision != 0 && record.CreateRevision > request.MaxCreateRevision)
                || (request.MinCreateRevision != 0 && record.CreateRevision < request.MinCreateRevision);
            if (!drop)
            {
                slots[kept++] = slot;
            }
        }
        scan.Truncate(kept);
    }

    private static void Sort(Span<RangeSlot> slots, RangeRequest request)
    {
        RangeRequest.Types.SortOrder sortOrder = request.SortOrder;
        RangeRequest.Types.SortTarget target = request.SortTarget;
        // Records come in key order, so etcd sorts by default only for a target other than the key.
        if (target != RangeRequest.Types.SortTarget.Key && sortOrder == RangeRequest.Types.SortOrder.None)
        {
            sortOrder = RangeRequest.Types.SortOrder.Ascend;
        }
        switch (sortOrder)
        {
            case RangeRequest.Types.SortOrder.Ascend when target != RangeRequest.Types.SortTarget.Key:
                slots.Sort(new RecordOrder(target, descending: false));
                break;
            case RangeRequest.Types.SortOrder.Descend when target == RangeRequest.Types.SortTarget.Key:
                slots.Reverse();
                break;
            case RangeRequest.Types.SortOrder.Descend:
                slots.Sort(new RecordOrder(target, descending: true));
                break;
        }
    }
}
