using System.Text;

namespace Etcd.Bbolt.Tests;

/// <summary>A bbolt file's contents as a plain tree: what the tests write, and compare what is read back to.</summary>
public sealed class BucketTree
{
    public SortedDictionary<byte[], byte[]> Keys { get; } = new(ByteOrder.Instance);

    public SortedDictionary<byte[], BucketTree> Buckets { get; } = new(ByteOrder.Instance);

    /// <summary>Random contents from <paramref name="seed"/>: nested and inline buckets, empty values, values beyond a page.</summary>
    public static BucketTree Random(int seed, int keys, int depth = 3)
    {
        var random = new Random(seed);
        var root = new BucketTree();
        var buckets = random.Next(1, 6);
        for (var i = 0; i < buckets; i++) root.Buckets[RandomBytes(random, random.Next(1, 12))] = RandomBucket(random, keys / buckets, depth);
        return root;
    }

    private static BucketTree RandomBucket(Random random, int keys, int depth)
    {
        var bucket = new BucketTree();
        var count = random.Next(0, 3) == 0 ? random.Next(0, 4) : keys;
        for (var i = 0; i < count; i++)
        {
            var key = RandomBytes(random, random.Next(1, random.Next(0, 20) == 0 ? 600 : 40));
            var size = random.Next(0, 10) switch
            {
                0 => 0,
                1 => random.Next(4000, 20000),
                _ => random.Next(1, 120),
            };
            bucket.Keys[key] = RandomBytes(random, size);
        }
        if (depth > 0)
        {
            var nested = random.Next(0, 3);
            for (var i = 0; i < nested; i++)
            {
                var name = RandomBytes(random, random.Next(1, 10));
                if (bucket.Keys.ContainsKey(name)) continue;
                bucket.Buckets[name] = RandomBucket(random, keys / 4, depth - 1);
            }
        }
        return bucket;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public void WriteTo(BboltWriter writer)
    {
        // A bucket and a key never share a name; the writer takes both in one key order.
        foreach (var (name, isBucket) in Merged())
        {
            if (isBucket)
            {
                writer.BeginBucket(name);
                Buckets[name].WriteTo(writer);
                writer.EndBucket();
            }
            else
            {
                writer.Put(name, Keys[name]);
            }
        }
    }

    private IEnumerable<(byte[] Name, bool IsBucket)> Merged()
    {
        var all = Keys.Keys.Select(k => (k, false)).Concat(Buckets.Keys.Select(k => (k, true))).ToList();
        all.Sort((a, b) => a.Item1.AsSpan().SequenceCompareTo(b.Item1));
        return all;
    }

    public static BucketTree Read(BboltReader reader, BboltBucket bucket)
    {
        var tree = new BucketTree();
        var nested = new List<(byte[], BboltBucket)>();
        reader.ForEach(bucket, (key, value, isBucket) =>
        {
            if (isBucket) nested.Add((key.ToArray(), BboltBucket.Parse(value)));
            else tree.Keys.Add(key.ToArray(), value.ToArray());
            return true;
        });
        foreach (var (name, child) in nested) tree.Buckets.Add(name, Read(reader, child));
        return tree;
    }

    /// <summary>The listing boltdump prints and loads (see boltdump/main.go).</summary>
    public string Listing()
    {
        var text = new StringBuilder();
        foreach (var (name, child) in Buckets) child.List(text, Hex(name));
        return text.ToString();
    }

    private void List(StringBuilder text, string path)
    {
        text.Append("B ").Append(path).Append('\n');
        foreach (var (name, isBucket) in Merged())
        {
            if (isBucket) Buckets[name].List(text, path + "/" + Hex(name));
            else text.Append("K ").Append(path).Append(' ').Append(Hex(name)).Append(' ').Append(Hex(Keys[name])).Append('\n');
        }
    }

    private static string Hex(byte[] bytes) => bytes.Length == 0 ? "-" : Convert.ToHexStringLower(bytes);
}

public sealed class ByteOrder : IComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
