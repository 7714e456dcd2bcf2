using Etcd.Storage.Durability;

namespace Etcd.Storage.Snapshots;

/// <summary>
/// The Raft snapshots of a member, one checksummed file each in a directory (the server uses
/// <c>&lt;data-dir&gt;/member/snap</c>), after etcd's snapshotter: saved atomically, loaded newest
/// valid first, a damaged file set aside as <c>.broken</c> rather than trusted or deleted.
/// </summary>
public sealed class SnapshotStore
{
    private readonly string _directory;

    public SnapshotStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(_directory);
    }

    public string Directory => _directory;

    /// <summary>
    /// Saves a snapshot so that after a crash it is either whole under its name or absent: written
    /// to a temporary file, fsynced, renamed, and the directory fsynced.
    /// </summary>
    public void Save(ulong term, ulong index, ReadOnlySpan<byte> data)
    {
        string path = Path.Combine(_directory, new SnapshotFileName(term, index).FileName);
        string staging = path + SnapshotFileName.TemporarySuffix;
        byte[] file = SnapshotFileFormat.Encode(term, index, data);
        using (var stream = new FileStream(staging, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(file);
            stream.Flush(flushToDisk: true);
        }
        File.Move(staging, path, overwrite: true);
        DirectorySync.Flush(_directory);
    }

    /// <summary>
    /// The newest snapshot that reads back intact and that <paramref name="accept"/> (given term
    /// and index) allows, or null when there is none. The server passes a filter to load only a
    /// snapshot its WAL has a marker for. Each damaged file met on the way is renamed to
    /// <c>.broken</c> and skipped.
    /// </summary>
    public StoredSnapshot? LoadNewest(Func<ulong, ulong, bool>? accept = null)
    {
        foreach (SnapshotFileName name in ListNames())
        {
            if (accept is not null && !accept(name.Term, name.Index))
            {
                continue;
            }
            string path = Path.Combine(_directory, name.FileName);
            try
            {
                StoredSnapshot snapshot = SnapshotFileFormat.Decode(File.ReadAllBytes(path));
                if (snapshot.Term != name.Term || snapshot.Index != name.Index)
                {
                    throw new InvalidDataException(
                        $"snapshot file holds term {snapshot.Term} index {snapshot.Index}, its name says otherwise");
                }
                return snapshot;
            }
            catch (InvalidDataException)
            {
                File.Move(path, path + SnapshotFileName.BrokenSuffix, overwrite: true);
            }
        }
        return null;
    }

    /// <summary>(term, index) of every snapshot file, newest first; contents are not checked.</summary>
    public IReadOnlyList<(ulong Term, ulong Index)> List()
    {
        var names = ListNames();
        var list = new List<(ulong, ulong)>(names.Count);
        foreach (SnapshotFileName name in names)
        {
            list.Add((name.Term, name.Index));
        }
        return list;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshot files, and leftover temporary files.</summary>
    public void Purge(int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var names = ListNames();
        for (int i = names.Count - 1; i >= keep; i--)
        {
            File.Delete(Path.Combine(_directory, names[i].FileName));
        }
        foreach (string staging in System.IO.Directory.EnumerateFiles(_directory, "*" + SnapshotFileName.Extension + SnapshotFileName.TemporarySuffix))
        {
            File.Delete(staging);
        }
    }

    private List<SnapshotFileName> ListNames()
    {
        var names = new List<SnapshotFileName>();
        foreach (string path in System.IO.Directory.EnumerateFiles(_directory, "*" + SnapshotFileName.Extension))
        {
            if (SnapshotFileName.TryParse(Path.GetFileName(path), out SnapshotFileName name))
            {
                names.Add(name);
            }
        }
        // Newest first: by term, then index.
        names.Sort((a, b) => b.Term != a.Term ? b.Term.CompareTo(a.Term) : b.Index.CompareTo(a.Index));
        return names;
    }
}
