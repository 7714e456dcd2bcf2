using Google.Protobuf;

namespace Etcd.Mvcc.Tests;

public sealed class RevisionKeyTests
{
    [Fact]
    public void Layout_is_etcds_big_endian_main_underscore_sub()
    {
        Span<byte> key = stackalloc byte[RevisionKey.TombstoneLength];
        int length = RevisionKey.Write(key, new Revision(0x0102, 3), tombstone: false);

        Assert.Equal(17, length);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 1, 2, (byte)'_', 0, 0, 0, 0, 0, 0, 0, 3 }, key[..length].ToArray());
        Assert.False(RevisionKey.IsTombstone(key[..length]));
        Assert.Equal(new Revision(0x0102, 3), RevisionKey.Read(key[..length]));
    }

    [Fact]
    public void Tombstone_appends_t()
    {
        Span<byte> key = stackalloc byte[RevisionKey.TombstoneLength];
        int length = RevisionKey.Write(key, new Revision(9, 1), tombstone: true);

        Assert.Equal(18, length);
        Assert.Equal((byte)'t', key[17]);
        Assert.True(RevisionKey.IsTombstone(key[..length]));
        Assert.Equal(new Revision(9, 1), RevisionKey.Read(key[..length]));
    }

    [Fact]
    public void Byte_order_is_revision_order()
    {
        Revision[] revisions = [new(1, 0), new(1, 1), new(1, 256), new(2, 0), new(256, 0), new(65536, 3)];
        for (int i = 1; i < revisions.Length; i++)
        {
            byte[] lower = new byte[17];
            byte[] upper = new byte[17];
            RevisionKey.Write(lower, revisions[i - 1], tombstone: false);
            RevisionKey.Write(upper, revisions[i], tombstone: false);
            Assert.True(lower.AsSpan().SequenceCompareTo(upper) < 0, $"{revisions[i - 1]} < {revisions[i]}");
        }
    }

    [Fact]
    public void Tombstone_record_is_what_protobuf_writes_for_a_key_only_record()
    {
        foreach (int length in new[] { 1, 127, 128, 300, 20000 })
        {
            byte[] key = new byte[length];
            new Random(length).NextBytes(key);
            var expected = new Api.Mvccpb.KeyValue { Key = Google.Protobuf.ByteString.CopyFrom(key) }.ToByteArray();
            byte[] actual = new byte[TombstoneRecord.Size(length)];
            TombstoneRecord.Write(actual, key);
            Assert.Equal(expected, actual);
        }
    }
}
