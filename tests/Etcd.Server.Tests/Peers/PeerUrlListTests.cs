using Etcd.Server.Membership;

namespace Etcd.Server.Tests.Peers;

public sealed class PeerUrlListTests
{
    [Fact]
    public void SortsValidUrls() =>
        Assert.Equal(["http://a:2380", "https://b:2380"], PeerUrlList.Parse(["https://b:2380", "http://a:2380"]));

    [Theory]
    [InlineData("http://a")]
    [InlineData("http://a:2380/path")]
    [InlineData("http://a:2380/")]
    [InlineData("ftp://a:2380")]
    [InlineData("a:2380")]
    public void RefusesWhatEtcdRefuses(string url) => Assert.Null(PeerUrlList.Parse([url]));

    [Fact]
    public void RefusesNoUrlAtAll() => Assert.Null(PeerUrlList.Parse([]));
}
