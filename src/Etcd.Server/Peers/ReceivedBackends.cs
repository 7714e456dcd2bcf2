using System.Globalization;

namespace Etcd.Server.Peers;

/// <summary>
/// Where backends received with a snapshot wait in the snap directory until the member installs
/// them: one RocksDB directory per snapshot index. The state is on disk before Raft sees the
/// snapshot, so a member that crashes after saving the snapshot but before installing the
/// backend finds it here on restart (etcd keeps "&lt;index&gt;.snap.db" for the same reason).
/// </summary>
public sealed class ReceivedBackends(string snapDir)
{
    private const string Suffix = ".snap.db";

    public string Directory => snapDir;

    public string PathFor(ulong index) => Path.Combine(snapDir, index.ToString("x16", CultureInfo.InvariantCulture) + Suffix);

    /// <summary>Where a backend is written while it arrives; renamed to <see cref="PathFor"/> when complete.</summary>
    public string StagingPathFor(ulong index) => PathFor(index) + ".receiving";

    /// <summary>The complete received backend for the snapshot at <paramref name="index"/>, if there is one.</summary>
    public string? Find(ulong index)
    {
        var path = PathFor(index);
        return System.IO.Directory.Exists(path) ? path : null;
    }

    /// <summary>
    /// Deletes complete received backends other than those in <paramref name="keep"/>, and with
    /// <paramref name="receptions"/> unfinished receptions too (at start-up nothing is arriving).
    /// </summary>
    public void DeleteAllBut(IReadOnlyCollection<string> keep, bool receptions)
    {
        if (!System.IO.Directory.Exists(snapDir)) return;
        foreach (var dir in System.IO.Directory.EnumerateDirectories(snapDir, "*" + Suffix + (receptions ? "*" : "")))
        {
            var full = System.IO.Path.GetFullPath(dir);
            var kept = false;
            foreach (var path in keep) kept |= System.IO.Path.GetFullPath(path) == full;
            if (!kept) System.IO.Directory.Delete(dir, recursive: true);
        }
    }
}
