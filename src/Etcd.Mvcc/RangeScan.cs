using System.Buffers;
using Etcd.Api.Etcdserverpb;

namespace Etcd.Mvcc;

/// <summary>
/// The first step of a range read, done while the index is locked: which keys match at the
/// read revision, how many there are, and for the ones the response may need, their record
/// (when it is the key's newest and so held in memory) or the revision to load it from.
/// Holds pooled memory: dispose it.
/// </summary>
internal struct RangeScan : IDisposable
{
    private RangeSlot[] slots;

    /// <summary>Number of keys that match at the read revision, before limit and filters (etcd's count).</summary>
    public long Total { get; private set; }

    public int SlotCount { get; private set; }

    /// <summary>Some slots name a revision whose record must be loaded before use.</summary>
    public bool NeedsLoad { get; private set; }

    public readonly Span<RangeSlot> Slots => slots.AsSpan(0, SlotCount);

    public static RangeScan Collect(KeyIndex index, RangeRequest request, long atRevision)
    {
        long wanted = RecordsWanted(request);
        // Records held without their value serve a response that shows no value and sorts by none.
        bool valuesNeeded = !request.KeysOnly || request.SortTarget == RangeRequest.Types.SortTarget.Value;
        var scan = new RangeScan { slots = ArrayPool<RangeSlot>.Shared.Rent((int)Math.Min(wanted, 16)) };
        foreach (KeyHistory history in index.Range(KeyRange.Of(request.Key, request.RangeEnd)))
        {
            if (!history.TryGetVisible(atRevision, out HistoryEntry entry, out bool isNewest))
            {
                continue;
            }
            if (scan.Total < wanted)
            {
                scan.Add(new RangeSlot
                {
                    Record = isNewest && (history.LatestHasValue || !valuesNeeded) ? history.Latest : null,
                    Revision = entry.Revision,
                    Order = scan.SlotCount,
                });
            }
            scan.Total++;
        }
        return scan;
    }

    /// <summary>Loads the records that are not in memory.</summary>
    public readonly void Load(IRecordLoader loader)
    {
        foreach (ref RangeSlot slot in Slots)
        {
            slot.Record ??= loader.Load(slot.Revision);
        }
    }

    /// <summary>Keeps the first <paramref name="count"/> slots.</summary>
    public void Truncate(int count) => SlotCount = Math.Min(SlotCount, count);

    public void Dispose()
    {
        if (slots is not null)
        {
            Slots.Clear();
            ArrayPool<RangeSlot>.Shared.Return(slots);
            slots = null!;
        }
    }

    /// <summary>
    /// How many records the response can need, as etcd decides it: a count needs none; sorting
    /// or filtering needs all; a limit needs one more than the limit, to know whether there is more.
    /// Note etcd looks at sort_order only: a sort_target with sort_order NONE sorts the limited set.
    /// </summary>
    private static long RecordsWanted(RangeRequest request)
    {
        if (request.CountOnly)
        {
            return 0;
        }
        bool needsAll = request.SortOrder != RangeRequest.Types.SortOrder.None
            || request.MinModRevision != 0 || request.MaxModRevision != 0
            || request.MinCreateRevision != 0 || request.MaxCreateRevision != 0;
        if (needsAll || request.Limit <= 0 || request.Limit == long.MaxValue)
        {
            return long.MaxValue;
        }
        return request.Limit + 1;
    }

    private void Add(RangeSlot slot)
    {
        if (SlotCount == slots.Length)
        {
            RangeSlot[] larger = ArrayPool<RangeSlot>.Shared.Rent(slots.Length * 2);
            Slots.CopyTo(larger);
            Slots.Clear();
            ArrayPool<RangeSlot>.Shared.Return(slots);
            slots = larger;
        }
        NeedsLoad |= slot.Record is null;
        slots[SlotCount++] = slot;
    }
}
