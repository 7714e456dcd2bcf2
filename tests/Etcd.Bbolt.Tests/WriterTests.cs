namespace Etcd.Bbolt.Tests;

public sealed class WriterTests
{
    [Fact]
    public void KeysOutOfOrderAreRefused()
    {
        using var stream = new MemoryStream();
        using var writer = new BboltWriter(stream);
        writer.BeginBucket("b"u8);
        writer.Put("k2"u8, "v"u8);
        Assert.Throws<ArgumentException>(() => writer.Put("k1"u8, "v"u8));
        Assert.Throws<ArgumentException>(() => writer.Put("k2"u8, "v"u8));
    }

    [Fact]
    public void EmptyDatabaseHasMetasFreelistAndAnEmptyRoot()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("empty.db");
        using (var file = File.Create(path))
        using (var writer = new BboltWriter(file))
        {
            Assert.Equal(4 * 4096, writer.Finish());
        }
        using var reader = BboltReader.Open(path);
        Assert.Equal(4UL, reader.Meta.HighWaterMark);
        Assert.Equal(3UL, reader.Meta.RootPage);
        Assert.Empty(reader.FreePages());
        Assert.Empty(reader.Check());
        Assert.True(reader.ForEach(reader.Root, (_, _, _) => throw new InvalidOperationException("no entries expected")));
        Assert.Equal("S 16384\n", RealBbolt.Dump(path));
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(16384)]
    public void OtherPageSizesRoundTrip(int pageSize)
    {
        using var dir = new TempDirectory();
        var tree = BucketTree.Random(11, 2000);
        var path = dir.Combine("paged.db");
        using (var file = File.Create(path))
        using (var writer = new BboltWriter(file, pageSize))
        {
            tree.WriteTo(writer);
            writer.Finish();
        }
        using var reader = BboltReader.Open(path);
        Assert.Equal(pageSize, reader.PageSize);
        Assert.Empty(reader.Check());
        Assert.Equal(tree.Listing(), BucketTree.Read(reader, reader.Root).Listing());
        Assert.Equal(tree.Listing(), RealBbolt.Dump(path).Split('\n', 2)[1]);
    }

    [Fact]
    public void SecondMetaIsUsedWhenTheFirstIsCorrupt()
    {
        using var dir = new TempDirectory();
        var tree = BucketTree.Random(12, 300);
        var path = dir.Combine("meta.db");
        using (var file = File.Create(path))
        using (var writer = new BboltWriter(file))
        {
            tree.WriteTo(writer);
            writer.Finish(txId: 9);
        }
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.Position = 16 + 20; // inside meta 0's root page field, so its checksum fails
            file.WriteByte(0x77);
        }
        using var reader = BboltReader.Open(path);
        Assert.Equal(8UL, reader.Meta.TxId);
        Assert.Equal(tree.Listing(), BucketTree.Read(reader, reader.Root).Listing());
    }

    [Fact]
    public void ForeignAndTruncatedFilesGetAClearError()
    {
        using var dir = new TempDirectory();
        var text = dir.Combine("text.db");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("this is not a database\n", 1000)));
        Assert.Contains("no valid meta page", Assert.Throws<InvalidDataException>(() => BboltReader.Open(text)).Message);
        var empty = dir.Combine("empty.db");
        File.WriteAllBytes(empty, []);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => BboltReader.Open(empty)).Message);

        var path = dir.Combine("cut.db");
        using (var file = File.Create(path))
        using (var writer = new BboltWriter(file))
        {
            BucketTree.Random(13, 3000).WriteTo(writer);
            writer.Finish();
        }
        using (var file = new FileStream(path, FileMode.Open)) file.SetLength(file.Length / 2);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => BboltReader.Open(path)).Message);
    }

    [Fact]
    public void WithoutAFreelistUnreachablePagesAreFreeNotFaults()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("nofreelist.db");
        var tree = BucketTree.Random(14, 3000);
        using (var file = File.Create(path))
        using (var writer = new BboltWriter(file))
        {
            tree.WriteTo(writer);
            writer.Finish();
        }
        // Give the high water mark two pages no tree reaches, and drop the freelist as etcd does
        // (NoFreelistSync): bbolt counts such pages as free. With a freelist they are faults.
        using (var file = new FileStream(path, FileMode.Open))
        {
            var pages = file.Length / 4096;
            file.SetLength(file.Length + 2 * 4096);
            for (var id = 0; id < 2; id++)
            {
                var page = new byte[4096];
                file.Position = id * 4096;
                file.ReadExactly(page);
                var meta = BboltMeta.TryRead(page)!.Value;
                Array.Clear(page);
                (meta with { HighWaterMark = (ulong)pages + 2, FreelistPage = BboltFormat.NoFreelist }).WritePage(page, (ulong)id);
                file.Position = id * 4096;
                file.Write(page);
            }
        }
        using var reader = BboltReader.Open(path);
        Assert.Empty(reader.Check());
        Assert.Equal(tree.Listing(), BucketTree.Read(reader, reader.Root).Listing());
        Assert.Equal(tree.Listing(), RealBbolt.Dump(path).Split('\n', 2)[1]);
    }
}
