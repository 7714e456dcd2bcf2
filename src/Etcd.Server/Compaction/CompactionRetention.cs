using System.Globalization;
using Etcd.Api.Text;

namespace Etcd.Server.Compaction;

/// <summary>
/// --auto-compaction-mode with --auto-compaction-retention, read as etcd reads them: a plain
/// non-negative integer is hours in periodic mode and a revision count in revision mode; anything
/// else must be a Go duration (in revision mode etcd then takes its nanoseconds as the count).
/// Zero turns auto-compaction off.
/// </summary>
public readonly record struct CompactionRetention(string Mode, TimeSpan Period, long Revisions)
{
    public bool Enabled => Mode == "periodic" ? Period > TimeSpan.Zero : Revisions > 0;

    /// <summary>Parses the pair, or throws <see cref="FormatException"/> with etcd's message.</summary>
    public static CompactionRetention Parse(string mode, string retention)
    {
        if (int.TryParse(retention, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) && whole >= 0)
            return mode == "revision" ? new(mode, TimeSpan.Zero, whole) : new(mode, TimeSpan.FromHours(whole), 0);
        if (!GoDuration.TryParse(retention, out var duration, out var error))
            throw new FormatException("error parsing CompactionRetention: " + error);
        return mode == "revision" ? new(mode, TimeSpan.Zero, duration.Ticks * 100) : new(mode, duration, 0);
    }
}
