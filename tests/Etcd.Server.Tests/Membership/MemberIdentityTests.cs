using Etcd.Server.Configuration;
using Etcd.Server.Membership;

namespace Etcd.Server.Tests.Membership;

public sealed class MemberIdentityTests
{
    // Ids that etcd 3.4.23 printed for the same flags (member 127.0.0.1:23801, token etcd-cluster).
    [Fact]
    public void IdsEqualEtcds()
    {
        var member = MemberIdentity.MemberId(["http://127.0.0.1:23801"], "etcd-cluster");
        Assert.Equal(0xbdae9bbc11dd390dUL, member);
        Assert.Equal(0xd1cfaf999eb97a2aUL, MemberIdentity.ClusterId([member]));
    }

    [Fact]
    public void PeerUrlOrderDoesNotMatter() =>
        Assert.Equal(
            MemberIdentity.MemberId(["http://b:2380", "http://a:2380"], "t"),
            MemberIdentity.MemberId(["http://a:2380", "http://b:2380"], "t"));

    [Fact]
    public void TokenSeparatesClusters() =>
        Assert.NotEqual(MemberIdentity.MemberId(["http://a:2380"], "t1"), MemberIdentity.MemberId(["http://a:2380"], "t2"));

    [Fact]
    public void InitialClusterGroupsUrlsByName()
    {
        var members = InitialCluster.Parse("controller-0=http://10.0.0.1:2380,controller-1=http://10.0.0.2:2380,controller-0=http://10.0.0.3:2380", "etcd-cluster-0");
        Assert.Equal(2, members.Count);
        Assert.Equal(["http://10.0.0.1:2380", "http://10.0.0.3:2380"], members[0].PeerUrls);
        Assert.Equal("controller-1", members[1].Name);
    }

    [Fact]
    public void InitialClusterRefusesPairsWithoutName() =>
        Assert.Throws<FlagError>(() => InitialCluster.Parse("http://10.0.0.1:2380", "t"));
}
