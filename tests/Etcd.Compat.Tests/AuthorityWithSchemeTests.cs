namespace Etcd.Compat.Tests;

/// <summary>
/// The official etcdctl dials an endpoint given as "http://host:port" verbatim for endpoint
/// status and hashkv (and for every member with --cluster), so the HTTP/2 :authority carries the
/// scheme. etcd accepts that; Kestrel resets the stream. Known gap, skipped until fixed (plan:
/// rewrite such an :authority in the HPACK block inside our connection transport).
/// </summary>
public sealed class AuthorityWithSchemeTests
{
    [Fact(Skip = "known gap: Kestrel refuses an HTTP/2 :authority that contains a scheme")]
    public async Task EndpointStatusAndHashKvAcceptAnEndpointWithScheme()
    {
        var member = await EtcdProcess.StartAsync(Binaries.OurEtcd);
        await using (member)
        {
            var etcdctl = new Etcdctl(member.Endpoint, Binaries.OfficialEtcdctl);
            Assert.Equal(0, (await etcdctl.RunAsync("endpoint", "status")).ExitCode);
            Assert.Equal(0, (await etcdctl.RunAsync("endpoint", "hashkv")).ExitCode);
        }
    }
}
