namespace Etcd.Compat.Tests;

/// <summary>
/// The official etcdctl dials an endpoint given as "http://host:port" verbatim for endpoint
/// status and hashkv (and for every member with --cluster), so the HTTP/2 :authority carries the
/// scheme. etcd accepts that; Kestrel would reset the stream, so our HTTP/2 connections pass
/// through AuthorityNormalizingReader, which rewrites it to host:port.
/// </summary>
public sealed class AuthorityWithSchemeTests
{
    [Fact]
    public async Task EndpointStatusAndHashKvAcceptAnEndpointWithScheme()
    {
        var member = await EtcdProcess.StartAsync(Binaries.OurEtcd);
        await using (member)
        {
            var etcdctl = new Etcdctl(member.Endpoint, Binaries.OfficialEtcdctl);
            var status = await etcdctl.RunAsync("endpoint", "status");
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.StartsWith(member.Endpoint + ", ", status.Stdout, StringComparison.Ordinal);
            var hash = await etcdctl.RunAsync("endpoint", "hashkv", "--cluster");
            Assert.True(hash.ExitCode == 0, hash.ToString());
            Assert.Matches(@"^http://127\.0\.0\.1:\d+, \d+\n$", hash.Stdout);
        }
    }
}
