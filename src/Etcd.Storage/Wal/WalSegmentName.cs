using System.Globalization;

namespace Etcd.Storage.Wal;

/// <summary>
/// A segment file's name, <c>{sequence:x16}-{firstIndex:x16}.wal</c> as etcd names them. Sequence
/// numbers run without gaps from the oldest kept segment; first index is the index the next
/// entry had when the segment was started (entries rewritten after a leader change may be lower).
/// </summary>
internal readonly record struct WalSegmentName(ulong Sequence, ulong FirstIndex)
{
    public const string Extension = ".wal";

    public string FileName => $"{Sequence:x16}-{FirstIndex:x16}{Extension}";

    public static bool TryParse(string fileName, out WalSegmentName name)
    {
        name = default;
        // 16 hex digits, a dash, 16 hex digits, ".wal".
        if (fileName.Length != 33 + Extension.Length || fileName[16] != '-' || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }
        if (!ulong.TryParse(fileName.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong sequence)
            || !ulong.TryParse(fileName.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong firstIndex))
        {
            return false;
        }
        name = new WalSegmentName(sequence, firstIndex);
        return true;
    }
}
