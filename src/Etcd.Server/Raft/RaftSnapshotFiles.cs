using System.Buffers.Binary;
using System.Globalization;
using Etcd.Raft.Raftpb;
using Etcd.Storage.Checksums;
using Google.Protobuf;

namespace Etcd.Server.Raft;

/// <summary>
/// Raft snapshots (metadata and membership data, raftpb encoded) in the member's snap directory,
/// one file per snapshot named "term-index.snap" as etcd names them, with a CRC so that a torn
/// or damaged file is skipped rather than trusted.
/// </summary>
public sealed class RaftSnapshotFiles(string directory)
{
    private const string Suffix = ".snap";

    public void Save(Snapshot snapshot)
    {
        Directory.CreateDirectory(directory);
        var data = snapshot.ToByteArray();
        var name = $"{snapshot.Metadata.Term:x16}-{snapshot.Metadata.Index:x16}{Suffix}";
        var path = Path.Combine(directory, name);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(data));
            file.Write(crc);
            file.Write(data);
            file.Flush(flushToDisk: true);
        }
        // Rename after the data is on disk, so a crash leaves the old snapshot or the whole new one.
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The newest snapshot whose checksum holds; damaged files are renamed *.broken and skipped.</summary>
    public Snapshot? LoadNewest()
    {
        if (!Directory.Exists(directory)) return null;
        var files = Directory.GetFiles(directory, "*" + Suffix);
        Array.Sort(files, StringComparer.Ordinal);
        for (var i = files.Length - 1; i >= 0; i--)
        {
            var bytes = File.ReadAllBytes(files[i]);
            if (bytes.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(bytes) == Crc32C.Compute(bytes.AsSpan(4)))
                return Snapshot.Parser.ParseFrom(bytes.AsSpan(4));
            File.Move(files[i], files[i] + ".broken", overwrite: true);
        }
        return null;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshot files (0 keeps all).</summary>
    public void Purge(int keep)
    {
        if (keep <= 0 || !Directory.Exists(directory)) return;
        var files = Directory.GetFiles(directory, "*" + Suffix);
        Array.Sort(files, StringComparer.Ordinal);
        for (var i = 0; i < files.Length - keep; i++) File.Delete(files[i]);
    }
}
