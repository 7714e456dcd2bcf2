using Etcd.Server.Configuration;
using Etcd.Server.Core;
using Etcd.Server.Membership;

namespace Etcd.Server.Tests.Peers;

/// <summary>etcd's refusals of a bad --initial-cluster, with its texts, and the id a joining member takes.</summary>
public sealed class InitialClusterCheckTests
{
    private static EtcdConfig Config(string name, string cluster, string advertised, string state = "new")
    {
        var flags = new FlagSet(EtcdFlags.All);
        flags.Parse(["--name", name, "--initial-cluster", cluster, "--initial-advertise-peer-urls", advertised, "--initial-cluster-state", state]);
        return EtcdConfig.From(flags);
    }

    [Fact]
    public void AcceptsAConsistentNewCluster()
    {
        var config = Config("b", "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380", "http://10.0.0.2:2380");
        var members = InitialCluster.Parse(config.InitialCluster, "tok");
        Assert.Equal(members[1].Id, InitialClusterCheck.ForNewCluster(config, members).Id);
    }

    [Fact]
    public void RefusesAMissingLocalName()
    {
        var config = Config("c", "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380", "http://10.0.0.2:2380");
        var error = Assert.Throws<BootstrapException>(() => InitialClusterCheck.ForNewCluster(config, InitialCluster.Parse(config.InitialCluster, "tok")));
        Assert.Equal("couldn't find local name \"c\" in the initial cluster configuration", error.Message);
    }

    [Fact]
    public void RefusesADuplicateUrl()
    {
        var config = Config("a", "a=http://10.0.0.1:2380,b=http://10.0.0.1:2380", "http://10.0.0.1:2380");
        var error = Assert.Throws<BootstrapException>(() => InitialClusterCheck.ForNewCluster(config, InitialCluster.Parse(config.InitialCluster, "tok")));
        Assert.Equal("initial cluster a=http://10.0.0.1:2380,b=http://10.0.0.1:2380 has duplicate url", error.Message);
    }

    [Fact]
    public void RefusesAdvertisedUrlsThatDifferFromTheListedOnes()
    {
        var config = Config("a", "a=http://10.0.0.1:2380", "http://10.0.0.9:2380");
        var error = Assert.Throws<BootstrapException>(() => InitialClusterCheck.ForNewCluster(config, InitialCluster.Parse(config.InitialCluster, "tok")));
        Assert.Equal("--initial-cluster has a=http://10.0.0.1:2380 but missing from --initial-advertise-peer-urls=http://10.0.0.9:2380 "
            + "(resolved urls: \"http://10.0.0.9:2380\" != \"http://10.0.0.1:2380\")", error.Message);
    }

    [Fact]
    public void JoiningMemberTakesTheIdTheClusterGaveIt()
    {
        var listed = InitialCluster.Parse("a=http://10.0.0.1:2380,b=http://10.0.0.2:2380", "tok");
        Member[] running =
        [
            new() { Id = listed[0].Id, Name = "a", PeerUrls = ["http://10.0.0.1:2380"] },
            new() { Id = 0x1234, Name = "", PeerUrls = ["http://10.0.0.2:2380"] },
        ];
        Assert.Equal(0x1234UL, InitialClusterCheck.AssignLocalId(listed, "b", 0x99, running));
    }

    [Fact]
    public void JoiningRefusesAListThatDoesNotMatchTheCluster()
    {
        var listed = InitialCluster.Parse("a=http://10.0.0.1:2380,b=http://10.0.0.2:2380", "tok");
        Member[] running = [new() { Id = listed[0].Id, Name = "a", PeerUrls = ["http://10.0.0.1:2380"] }];
        var error = Assert.Throws<BootstrapException>(() => InitialClusterCheck.AssignLocalId(listed, "b", 0x99, running));
        Assert.EndsWith(": member count is unequal", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("error validating peerURLs {ClusterID:99 Members:[", error.Message, StringComparison.Ordinal);
    }
}
