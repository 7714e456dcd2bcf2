using Etcd.Server.Leases;

namespace Etcd.Server.Tests.Leases;

public sealed class LeaseRecordTests
{
    [Fact]
    public void EncodesAsEtcdsLeasepbMessage()
    {
        Span<byte> buffer = stackalloc byte[LeaseRecord.MaxSize];
        // leasepb.Lease{ID: 0x1234, TTL: 60}: field 1 varint, field 2 varint, zero remaining TTL left out.
        var length = new LeaseRecord(0x1234, 60, 0).Write(buffer);
        Assert.Equal(new byte[] { 0x08, 0xB4, 0x24, 0x10, 60 }, buffer[..length].ToArray());
    }

    [Theory]
    [InlineData(1L, 2L, 0L)]
    [InlineData(0x7FFF_FFFF_FFFF_FFFFL, 9_000_000_000L, 8_999_999_999L)]
    [InlineData(0x390D_A204_874D_2603L, 30L, 17L)]
    public void RoundTrips(long id, long ttl, long remaining)
    {
        Span<byte> buffer = stackalloc byte[LeaseRecord.MaxSize];
        var length = new LeaseRecord(id, ttl, remaining).Write(buffer);
        Assert.Equal(new LeaseRecord(id, ttl, remaining), LeaseRecord.Read(buffer[..length]));
    }
}
