namespace Etcd.Mvcc;

/// <summary>
/// A point in the store's history. Every write transaction gets one <see cref="Main"/> revision;
/// each change inside it gets the next <see cref="Sub"/> revision, starting at 0.
/// </summary>
public readonly record struct Revision(long Main, long Sub) : IComparable<Revision>
{
    public int CompareTo(Revision other)
    {
        int byMain = Main.CompareTo(other.Main);
        return byMain != 0 ? byMain : Sub.CompareTo(other.Sub);
    }

    public static bool operator <(Revision left, Revision right) => left.CompareTo(right) < 0;
    public static bool operator >(Revision left, Revision right) => left.CompareTo(right) > 0;
    public static bool operator <=(Revision left, Revision right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Revision left, Revision right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Main}_{Sub}";
}
