using System.Text;

namespace Etcd.Raft;

/// <summary>
/// An immutable set of node ids, kept sorted so iteration order (and thus message order) is
/// deterministic. Membership sets are tiny, so arrays beat hash sets here.
/// </summary>
public readonly struct IdSet : IEquatable<IdSet>
{
    private readonly ulong[]? _ids;

    private IdSet(ulong[] sortedIds) => _ids = sortedIds;

    public static IdSet Empty => default;

    public int Count => _ids?.Length ?? 0;

    public ReadOnlySpan<ulong> Ids => _ids;

    public static IdSet Of(IEnumerable<ulong> ids)
    {
        var sorted = new SortedSet<ulong>(ids);
        return sorted.Count == 0 ? default : new IdSet([.. sorted]);
    }

    public static IdSet Of(params ulong[] ids) => Of((IEnumerable<ulong>)ids);

    public bool Contains(ulong id) => _ids is not null && Array.BinarySearch(_ids, id) >= 0;

    public IdSet With(ulong id)
    {
        if (Contains(id))
        {
            return this;
        }

        var ids = new ulong[Count + 1];
        int pos = 0;
        while (pos < Count && _ids![pos] < id)
        {
            pos++;
        }

        Ids[..pos].CopyTo(ids);
        ids[pos] = id;
        Ids[pos..].CopyTo(ids.AsSpan(pos + 1));
        return new IdSet(ids);
    }

    public IdSet Without(ulong id)
    {
        if (!Contains(id))
        {
            return this;
        }

        if (Count == 1)
        {
            return default;
        }

        var ids = new ulong[Count - 1];
        int i = 0;
        foreach (ulong existing in Ids)
        {
            if (existing != id)
            {
                ids[i++] = existing;
            }
        }

        return new IdSet(ids);
    }

    public IdSet Union(IdSet other)
    {
        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        var all = new SortedSet<ulong>(_ids!);
        all.UnionWith(other._ids!);
        return new IdSet([.. all]);
    }

    public ulong[] ToArray() => Ids.ToArray();

    public ReadOnlySpan<ulong>.Enumerator GetEnumerator() => Ids.GetEnumerator();

    public bool Equals(IdSet other) => Ids.SequenceEqual(other.Ids);

    public override bool Equals(object? obj) => obj is IdSet other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (ulong id in Ids)
        {
            hash.Add(id);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(IdSet left, IdSet right) => left.Equals(right);

    public static bool operator !=(IdSet left, IdSet right) => !left.Equals(right);

    /// <summary>Formats as "(1 2 3)".</summary>
    public override string ToString()
    {
        var text = new StringBuilder("(");
        for (int i = 0; i < Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append(_ids![i]);
        }

        return text.Append(')').ToString();
    }
}
