namespace Etcd.Storage.Wal;

/// <summary>The files of a WAL directory: its segments and its lock.</summary>
internal static class WalDirectory
{
    public const string LockFileName = "wal.lock";
    public const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Takes the directory's lock: an exclusive flock on a lock file (what .NET does on Unix for
    /// FileShare.None), so a second WAL in this or another process fails instead of interleaving
    /// writes. The lock lasts until the returned stream is disposed or the process dies.
    /// </summary>
    public static FileStream Lock(string directory)
    {
        string path = Path.Combine(directory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new WalLockedException($"wal: {directory} is in use by another WAL", e);
        }
    }

    /// <summary>
    /// The segments, oldest first. Their sequence numbers must be consecutive: segments are
    /// deleted oldest first, so a gap means a file went missing.
    /// </summary>
    public static List<WalSegmentName> ListSegments(string directory)
    {
        var segments = new List<WalSegmentName>();
        foreach (string path in Directory.EnumerateFiles(directory, "*" + WalSegmentName.Extension))
        {
            if (WalSegmentName.TryParse(Path.GetFileName(path), out WalSegmentName name))
            {
                segments.Add(name);
            }
        }
        segments.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        for (int i = 1; i < segments.Count; i++)
        {
            if (segments[i].Sequence != segments[i - 1].Sequence + 1)
            {
                throw new WalCorruptException(
                    $"wal: segment sequence jumps from {segments[i - 1].FileName} to {segments[i].FileName} in {directory}");
            }
        }
        return segments;
    }

    /// <summary>Deletes segments a crash left half-made; they were never renamed into the log.</summary>
    public static void RemoveTemporaryFiles(string directory)
    {
        foreach (string path in Directory.EnumerateFiles(directory, "*" + WalSegmentName.Extension + TemporarySuffix))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Position of the segment to start reading at for a snapshot at <paramref name="index"/>:
    /// the last one started at or below it. -1 when every segment starts above it.
    /// </summary>
    public static int SegmentFor(List<WalSegmentName> segments, ulong index)
    {
        for (int i = segments.Count - 1; i >= 0; i--)
        {
            if (segments[i].FirstIndex <= index)
            {
                return i;
            }
        }
        return -1;
    }
}
