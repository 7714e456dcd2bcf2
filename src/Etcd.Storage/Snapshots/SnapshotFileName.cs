using System.Globalization;

namespace Etcd.Storage.Snapshots;

/// <summary>
/// A snapshot file's name, <c>{term:x16}-{index:x16}.snap</c> as etcd names them: ordinal name
/// order is (term, index) order, which is age order since neither ever goes down.
/// </summary>
internal readonly record struct SnapshotFileName(ulong Term, ulong Index)
{
    public const string Extension = ".snap";
    public const string BrokenSuffix = ".broken";
    public const string TemporarySuffix = ".tmp";

    public string FileName => $"{Term:x16}-{Index:x16}{Extension}";

    public static bool TryParse(string fileName, out SnapshotFileName name)
    {
        name = default;
        if (fileName.Length != 33 + Extension.Length || fileName[16] != '-' || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }
        if (!ulong.TryParse(fileName.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong term)
            || !ulong.TryParse(fileName.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong index))
        {
            return false;
        }
        name = new SnapshotFileName(term, index);
        return true;
    }
}
