using System.Text;
using Etcd.Storage.Checksums;

namespace Etcd.Storage.Tests.Checksums;

public sealed class Crc32CTests
{
    [Fact]
    public void Matches_the_standard_check_value() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Chains_like_one_pass_over_the_concatenation()
    {
        byte[] data = new byte[1000];
        new Random(3).NextBytes(data);
        for (int split = 0; split <= data.Length; split += 37)
        {
            Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }
}
