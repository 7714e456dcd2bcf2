namespace Etcd.Bbolt.Tests;

/// <summary>Our writer's files open, check and list in real bbolt; real bbolt's files read the same in ours.</summary>
public sealed class RealBboltTests
{
    public static TheoryData<int, int> Contents => new()
    {
        { 1, 0 },       // buckets with no keys: inline, empty
        { 2, 12 },      // inline buckets
        { 3, 400 },     // a few pages, nested buckets
        { 4, 6000 },    // branch levels, overflow values
        { 5, 30000 },   // three levels
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public void RealBboltChecksAndListsWhatOurWriterWrote(int seed, int keys)
    {
        using var dir = new TempDirectory();
        var tree = BucketTree.Random(seed, keys);
        var path = dir.Combine("ours.db");
        long size;
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite))
        using (var writer = new BboltWriter(file))
        {
            tree.WriteTo(writer);
            size = writer.Finish();
        }
        Assert.Equal(size, new FileInfo(path).Length);
        var dump = RealBbolt.Dump(path);
        var lines = dump.Split('\n', 2);
        Assert.Equal($"S {size}", lines[0]);
        Assert.Equal(tree.Listing(), lines[1]);
    }

    [Theory]
    [MemberData(nameof(Contents))]
    public void OurReaderReadsWhatRealBboltWrote(int seed, int keys)
    {
        using var dir = new TempDirectory();
        var tree = BucketTree.Random(seed, keys);
        var path = dir.Combine("theirs.db");
        RealBbolt.Load(path, tree.Listing());
        using var reader = BboltReader.Open(path);
        Assert.Equal(tree.Listing(), BucketTree.Read(reader, reader.Root).Listing());
        Assert.Empty(reader.Check());
        Assert.Equal(RealBbolt.Dump(path).Split('\n', 2)[0], $"S {reader.Size}");
    }

    [Fact]
    public void BucketLookupFindsNestedBucketsAndNotPlainKeys()
    {
        using var dir = new TempDirectory();
        var tree = BucketTree.Random(7, 500);
        var path = dir.Combine("theirs.db");
        RealBbolt.Load(path, tree.Listing());
        using var reader = BboltReader.Open(path);
        foreach (var (name, child) in tree.Buckets)
        {
            var bucket = reader.Bucket(reader.Root, name);
            Assert.NotNull(bucket);
            Assert.Equal(child.Listing(), BucketTree.Read(reader, bucket.Value).Listing());
            foreach (var key in child.Keys.Keys.Take(3)) Assert.Null(reader.Bucket(bucket.Value, key));
        }
        Assert.Null(reader.Bucket(reader.Root, "no such bucket"u8));
    }
}
