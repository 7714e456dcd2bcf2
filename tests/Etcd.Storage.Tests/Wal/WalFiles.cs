using Etcd.Storage.Wal;

namespace Etcd.Storage.Tests.Wal;

/// <summary>Test access to a closed WAL directory's segment files.</summary>
internal static class WalFiles
{
    public static string[] Segments(string directory)
    {
        var paths = Directory.GetFiles(directory, "*.wal");
        Array.Sort(paths, StringComparer.Ordinal);
        return paths;
    }

    public static string LastSegment(string directory) => Segments(directory)[^1];

    public static byte[] Entry(ulong index, int size = 16)
    {
        var data = new byte[size];
        new Random((int)index).NextBytes(data);
        return data;
    }

    public static void AssertEntries(IReadOnlyList<WalEntry> entries, ulong first, ulong last, int size = 16)
    {
        Assert.Equal((int)(last - first + 1), entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            ulong index = first + (ulong)i;
            Assert.Equal(index, entries[i].Index);
            Assert.Equal(Entry(index, size), entries[i].Data);
        }
    }

    /// <summary>Copies the segments (not the lock, which the live log holds).</summary>
    public static void CopySegments(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string path in Segments(from))
        {
            File.Copy(path, Path.Combine(to, Path.GetFileName(path)));
        }
    }
}
