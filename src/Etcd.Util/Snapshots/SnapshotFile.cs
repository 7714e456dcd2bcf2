using System.Security.Cryptography;
using Etcd.Bbolt;

namespace Etcd.Util.Snapshots;

/// <summary>
/// A snapshot file as etcdctl saves it: etcd's db (a bbolt file) followed by the SHA-256 of its
/// bytes; or a bare db copied from a data dir (member/snap/db), which has no hash. As etcd
/// decides it, the hash is there when the size is 32 more than a multiple of 512.
/// </summary>
public sealed class SnapshotFile
{
    private const int HashSize = 32;

    private SnapshotFile(string path, long length, bool hasHash)
    {
        Path = path;
        Length = length;
        HasHash = hasHash;
    }

    public string Path { get; }

    public long Length { get; }

    public bool HasHash { get; }

    /// <summary>The db's bytes: the file without its hash.</summary>
    public long DbLength => HasHash ? Length - HashSize : Length;

    public static SnapshotFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new UtilException(Directory.Exists(path) ? $"read {path}: is a directory" : $"open {path}: no such file or directory");
        }
        var length = new FileInfo(path).Length;
        return new SnapshotFile(path, length, length % 512 == HashSize);
    }

    /// <summary>etcd's checks before a restore: a hash unless skipped, and one that matches.</summary>
    public void VerifyHash(bool skipHashCheck, Action<long>? progress = null)
    {
        if (!HasHash && !skipHashCheck) throw new UtilException("snapshot missing hash but --skip-hash-check=false");
        if (!HasHash || skipHashCheck) return;
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long done = 0;
        while (done < DbLength)
        {
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, DbLength - done));
            if (read <= 0) throw new UtilException($"snapshot {Path}: file changed while it was read");
            sha.AppendData(buffer, 0, read);
            done += read;
            progress?.Invoke(done);
        }
        var stored = new byte[HashSize];
        file.ReadExactly(stored);
        var computed = sha.GetHashAndReset();
        if (!stored.AsSpan().SequenceEqual(computed))
        {
            throw new UtilException($"expected sha256 {GoBytes(stored)}, got {GoBytes(computed)}");
        }
    }

    /// <summary>The db inside, for reading; a file that is no bbolt database is a clear error.</summary>
    public BboltReader OpenDb()
    {
        try
        {
            var reader = BboltReader.Open(Path);
            if (reader.Size > DbLength)
            {
                reader.Dispose();
                throw new InvalidDataException($"bbolt: the database's {reader.Size} bytes run into the snapshot's hash (truncated?)");
            }
            return reader;
        }
        catch (InvalidDataException e)
        {
            throw new UtilException($"snapshot {Path} is not a valid etcd database: {e.Message}", 1, e);
        }
    }

    // Go's %v of a byte slice: "[1 2 3]".
    private static string GoBytes(byte[] bytes) => "[" + string.Join(' ', bytes) + "]";
}
