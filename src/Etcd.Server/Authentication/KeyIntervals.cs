namespace Etcd.Server.Authentication;

/// <summary>
/// The union of a user's granted key intervals for one access kind, merged into disjoint sorted
/// intervals once when the auth store changes, so a check is a binary search. Answers the two
/// questions etcd asks of its interval tree: does a key fall in some interval, and is a whole
/// range covered without a gap.
/// </summary>
public sealed class KeyIntervals
{
    private readonly byte[][] _begins;
    private readonly byte[][] _ends;

    private KeyIntervals(byte[][] begins, byte[][] ends)
    {
        _begins = begins;
        _ends = ends;
    }

    public static readonly KeyIntervals Empty = new([], []);

    /// <summary>Merges half-open intervals [begin, end) (an empty end is open) that overlap or touch.</summary>
    public static KeyIntervals Merge(IEnumerable<(byte[] Begin, byte[] End)> intervals)
    {
        var sorted = intervals.Where(i => KeyBound.Compare(i.Begin, i.End) < 0).ToList();
        sorted.Sort((x, y) => KeyBound.Compare(x.Begin, y.Begin));
        var begins = new List<byte[]>();
        var ends = new List<byte[]>();
        foreach (var (begin, end) in sorted)
        {
            if (ends.Count > 0 && KeyBound.Compare(begin, ends[^1]) <= 0)
            {
                if (KeyBound.Compare(end, ends[^1]) > 0) ends[^1] = end;
                continue;
            }
            begins.Add(begin);
            ends.Add(end);
        }
        return new KeyIntervals([.. begins], [.. ends]);
    }

    public int Count => _begins.Length;

    /// <summary>Whether <paramref name="key"/> lies in one of the intervals.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => IndexCovering(key) is int i && KeyBound.Compare(key, _ends[i]) < 0;

    /// <summary>Whether every key of [begin, end) lies in the intervals (an empty end is open).</summary>
    public bool Covers(ReadOnlySpan<byte> begin, ReadOnlySpan<byte> end) =>
        IndexCovering(begin) is int i && KeyBound.Compare(end, _ends[i]) <= 0;

    // The last interval that begins at or before the key, if any.
    private int? IndexCovering(ReadOnlySpan<byte> key)
    {
        int low = 0, high = _begins.Length - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (KeyBound.Compare(_begins[middle], key) <= 0)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found < 0 ? null : found;
    }
}
