using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>etcd's transaction guards: a field of every live key in a range against a constant.</summary>
internal static class CompareEvaluator
{
    /// <summary>What a missing key compares as: every number 0.</summary>
    private static readonly KeyValue Absent = new();

    /// <summary>
    /// Whether <paramref name="compare"/> holds for the newest state of the index; values the index
    /// does not hold come from <paramref name="loader"/>. A range with
    /// no live key compares as one absent key, except that a value compare then fails: an absent
    /// value cannot be told from an empty one.
    /// </summary>
    public static bool Holds(KeyIndex index, Compare compare, IRecordLoader loader)
    {
        bool anyKey = false;
        foreach (KeyHistory history in index.Range(KeyRange.Of(compare.Key, compare.RangeEnd)))
        {
            // The newest state: a key is live exactly when its newest revision holds a record.
            if (history.Latest is not KeyValue record)
            {
                continue;
            }
            if (compare.Target == Compare.Types.CompareTarget.Value && !history.LatestHasValue)
            {
                record = loader.Load(history.Newest.Revision);
            }
            anyKey = true;
            if (!Holds(compare, record))
            {
                return false;
            }
        }
        if (!anyKey)
        {
            return compare.Target != Compare.Types.CompareTarget.Value && Holds(compare, Absent);
        }
        return true;
    }

    private static bool Holds(Compare compare, KeyValue record)
    {
        // A constant of another member than the target compares as its zero value, as in etcd.
        int order = compare.Target switch
        {
            Compare.Types.CompareTarget.Value => Math.Sign(record.Value.Span.SequenceCompareTo(compare.Value.Span)),
            Compare.Types.CompareTarget.Create => record.CreateRevision.CompareTo(compare.CreateRevision),
            Compare.Types.CompareTarget.Mod => record.ModRevision.CompareTo(compare.ModRevision),
            Compare.Types.CompareTarget.Version => record.Version.CompareTo(compare.Version),
            Compare.Types.CompareTarget.Lease => record.Lease.CompareTo(compare.Lease),
            _ => 0,
        };
        return compare.Result switch
        {
            Compare.Types.CompareResult.Equal => order == 0,
            Compare.Types.CompareResult.NotEqual => order != 0,
            Compare.Types.CompareResult.Greater => order > 0,
            Compare.Types.CompareResult.Less => order < 0,
            _ => true,
        };
    }
}
