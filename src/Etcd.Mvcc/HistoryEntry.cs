using System.Runtime.InteropServices;

namespace Etcd.Mvcc;

/// <summary>
/// One change of one key in the in-memory index: the revision it was written at and whether it
/// deleted the key. 16 bytes; a sub revision never exceeds the changes one transaction can hold.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct HistoryEntry(long main, int sub, bool isTombstone)
{
    public readonly long Main = main;
    public readonly int Sub = sub;
    public readonly bool IsTombstone = isTombstone;

    public Revision Revision => new(Main, Sub);
}
