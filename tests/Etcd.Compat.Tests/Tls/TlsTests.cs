using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace Etcd.Compat.Tests.Tls;

/// <summary>
/// Client and peer TLS as the seeds run etcd (certificate, key, trusted CA and client certificate
/// authentication on both ports), reached with the official etcdctl as the seeds reach it: the
/// right certificate gets in, no certificate, a foreign one and a revoked one are refused in the
/// handshake, and a member with a foreign peer certificate cannot join.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestCertificates _certs = TestCertificates.Create();

    public void Dispose() => _certs.Dispose();

    private string[] ClientTlsFlags() =>
    [
        "--cert-file", _certs.Member.Cert, "--key-file", _certs.Member.Key,
        "--trusted-ca-file", _certs.CaFile, "--client-cert-auth", "--client-crl-file", _certs.CrlFile,
    ];

    private string[] PeerTlsFlags() =>
    [
        "--peer-cert-file", _certs.Member.Cert, "--peer-key-file", _certs.Member.Key,
        "--peer-trusted-ca-file", _certs.CaFile, "--peer-client-cert-auth",
    ];

    private Task<CommandResult> EtcdctlAsync(string endpoints, (string Cert, string Key)? identity, params string[] args)
    {
        List<string> all = ["--endpoints", endpoints, "--cacert", _certs.CaFile, "--dial-timeout", "2s", "--command-timeout", "3s"];
        if (identity is { } pair) all.AddRange(["--cert", pair.Cert, "--key", pair.Key]);
        all.AddRange(args);
        return ProcessRunner.RunAsync(Binaries.OfficialEtcdctl, all, environment: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" });
    }

    [Fact]
    public async Task ClientMutualTls_LetsInTheCaSignedClientOnly()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1, ClientTlsFlags(), clientScheme: "https");
        var endpoint = cluster.Members[0].ClientUrl;

        var put = await EtcdctlAsync(endpoint, _certs.Client, "put", "k", "v");
        Assert.True(put.ExitCode == 0, put.ToString());
        var get = await EtcdctlAsync(endpoint, _certs.Client, "get", "k");
        Assert.Equal("k\nv\n", get.Stdout);
        // The kubeadm-style member certificate (clientAuth too) works as the client's, as in the seeds.
        Assert.Equal(0, (await EtcdctlAsync(endpoint, _certs.Member, "get", "k")).ExitCode);

        foreach (var (who, identity) in new[] { ("no certificate", ((string, string)?)null), ("foreign CA", _certs.Foreign), ("revoked", _certs.Revoked) })
        {
            var refused = await EtcdctlAsync(endpoint, identity, "get", "k");
            Assert.True(refused.ExitCode != 0, $"{who}: {refused}");
            Assert.DoesNotContain("\nv\n", refused.Stdout);
        }
        Assert.Contains("rejected connection", cluster.Members[0].Log);

        // /health, /version and the JSON gateway share the TLS port (HTTP/1.1 over ALPN).
        using var http = HttpsClient(_certs.Client);
        Assert.Contains("\"health\":\"true\"", await http.GetStringAsync(endpoint + "/health"));
        Assert.Contains("etcdserver", await http.GetStringAsync(endpoint + "/version"));
        var range = await http.PostAsync(endpoint + "/v3/kv/range", new StringContent("{\"key\":\"aw==\"}"));
        Assert.Contains("\"value\":\"dg==\"", await range.Content.ReadAsStringAsync());
        using var anonymous = HttpsClient(null);
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetStringAsync(endpoint + "/health"));
    }

    [Fact]
    public async Task GarbageAndStalledHandshakes_CloseThatConnectionOnly()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1, ClientTlsFlags(), clientScheme: "https");
        var member = cluster.Members[0];
        using var stalled = new TcpClient();
        await stalled.ConnectAsync("127.0.0.1", member.ClientPort);
        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync("127.0.0.1", member.ClientPort);
            var stream = garbage.GetStream();
            await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8 });
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
        }
        // While one connection says nothing and another said nonsense, the member serves.
        var get = await EtcdctlAsync(member.ClientUrl, _certs.Client, "put", "still", "serving");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.True(member.IsRunning);
    }

    [Fact]
    public async Task PeerMutualTls_ThreeMembersAgree_AndAForeignPeerCannotJoin()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, [.. ClientTlsFlags(), .. PeerTlsFlags()],
            clientScheme: "https", peerScheme: "https");
        Assert.All(cluster.Members, m => Assert.StartsWith("https://", m.PeerUrl));
        var put = await EtcdctlAsync(cluster.Members[0].ClientUrl, _certs.Client, "put", "over", "tls");
        Assert.True(put.ExitCode == 0, put.ToString());
        var get = await EtcdctlAsync(cluster.Members[2].ClientUrl, _certs.Client, "get", "over");
        Assert.Equal("over\ntls\n", get.Stdout);
        var hashes = await EtcdctlAsync(cluster.Endpoints, _certs.Client, "endpoint", "hashkv");
        Assert.Single(hashes.Stdout.Trim().Split('\n').Select(line => line.Split(", ")[1]).Distinct());

        var intruder = cluster.NewMember("intruder");
        await AddMemberAsync(cluster, intruder);
        string[] foreignPeer =
        [
            "--peer-cert-file", _certs.ForeignMember.Cert, "--peer-key-file", _certs.ForeignMember.Key,
            "--peer-trusted-ca-file", _certs.ForeignCaFile, "--peer-client-cert-auth",
        ];
        var join = cluster.JoinAsync(intruder, foreignPeer);
        await Assert.ThrowsAnyAsync<Exception>(() => join);
        var list = await EtcdctlAsync(cluster.Endpoints, _certs.Client, "member", "list");
        Assert.Contains("unstarted", list.Stdout);
        Assert.Contains(cluster.Members.Take(3), m => m.Log.Contains("rejected connection"));
        // The three still commit writes.
        Assert.Equal(0, (await EtcdctlAsync(cluster.Members[1].ClientUrl, _certs.Client, "put", "after", "intruder")).ExitCode);
    }

    [Fact]
    public async Task PeerCertAllowedCn_RefusesAPeerWithAnotherName()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1,
            [.. ClientTlsFlags(), .. PeerTlsFlags(), "--peer-cert-allowed-cn", "member"], clientScheme: "https", peerScheme: "https");
        var intruder = cluster.NewMember("intruder");
        await AddMemberAsync(cluster, intruder);
        string[] otherName =
        [
            "--peer-cert-file", _certs.OtherNameMember.Cert, "--peer-key-file", _certs.OtherNameMember.Key,
            "--peer-trusted-ca-file", _certs.CaFile, "--peer-client-cert-auth",
        ];
        // Signed by the right CA, but not named "member": the one-member cluster with the new
        // member added has lost its quorum until the intruder joins, and it never does.
        await Assert.ThrowsAnyAsync<Exception>(() => cluster.JoinAsync(intruder, otherName));
        Assert.Contains("rejected connection", cluster.Members[0].Log);
    }

    [Fact]
    public async Task CommonNameIsTheUser_WhenNoTokenIsGiven()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1, ClientTlsFlags(), clientScheme: "https");
        var endpoint = cluster.Members[0].ClientUrl;
        foreach (var step in new[]
        {
            new[] { "user", "add", "root:rootpw" }, ["user", "grant-role", "root", "root"],
            ["user", "add", "client:clientpw"], ["role", "add", "reader"], ["role", "grant-permission", "reader", "read", "k"],
            ["user", "grant-role", "client", "reader"], ["put", "k", "v"], ["auth", "enable"],
        })
        {
            var done = await EtcdctlAsync(endpoint, _certs.Client, step);
            Assert.True(done.ExitCode == 0, $"{string.Join(' ', step)}: {done}");
        }
        // The certificate says CN=client: reading k is allowed, writing is not.
        Assert.Equal("k\nv\n", (await EtcdctlAsync(endpoint, _certs.Client, "get", "k")).Stdout);
        var denied = await EtcdctlAsync(endpoint, _certs.Client, "put", "k", "w");
        Assert.Contains("permission denied", denied.Stderr);
        // Through the JSON gateway the certificate is the gateway's, never a user.
        using var http = HttpsClient(_certs.Client);
        var range = await http.PostAsync(endpoint + "/v3/kv/range", new StringContent("{\"key\":\"aw==\"}"));
        Assert.Contains("user name is empty", await range.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TlsMinVersion_RefusesOlderProtocols()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1, [.. ClientTlsFlags(), "--tls-min-version", "TLS1.3"], clientScheme: "https");
        var health = cluster.Members[0].ClientUrl + "/health";
        using (var tls13 = HttpsClient(_certs.Client, SslProtocols.Tls13))
            Assert.Contains("\"health\":\"true\"", await tls13.GetStringAsync(health));
        using var tls12 = HttpsClient(_certs.Client, SslProtocols.Tls12);
        await Assert.ThrowsAsync<HttpRequestException>(() => tls12.GetStringAsync(health));
    }

    [Fact]
    public async Task RenewedCertificateFiles_ServeTheNextHandshake()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1, ClientTlsFlags(), clientScheme: "https");
        var health = cluster.Members[0].ClientUrl + "/health";
        var before = await ServedSerialAsync(health);
        var renewed = _certs.RenewMember();
        Assert.NotEqual(before, renewed);
        Assert.Equal(renewed, await ServedSerialAsync(health));
    }

    private async Task<string> ServedSerialAsync(string url)
    {
        string? serial = null;
        using var client = HttpsClient(_certs.Client, capture: certificate => serial = certificate.SerialNumber);
        await client.GetStringAsync(url);
        return serial ?? throw new InvalidOperationException("no certificate seen");
    }

    [Fact]
    public async Task CertificatesWithHttpUrlsOnly_ServeCleartextWithEtcdsWarning()
    {
        await using var cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 1,
            ["--cert-file", _certs.Member.Cert, "--key-file", _certs.Member.Key]);
        Assert.Contains("scheme is HTTP while key and cert files are present; ignoring key and cert files", cluster.Members[0].Log);
        var put = await cluster.Ctl().RunAsync("put", "plain", "text");
        Assert.Equal(0, put.ExitCode);
    }

    [Fact]
    public async Task UnreadableCertificate_StopsTheStartNamingTheFile()
    {
        var dataDir = Directory.CreateTempSubdirectory("etcd-tls-bad-").FullName;
        try
        {
            var garbage = Path.Combine(_certs.Dir, "garbage.crt");
            File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            var port = FreePort.Next();
            foreach (var (cert, key) in new[] { (Path.Combine(_certs.Dir, "missing.crt"), _certs.Member.Key), (garbage, _certs.Member.Key) })
            {
                var url = $"https://127.0.0.1:{port}";
                var run = await ProcessRunner.RunAsync(Binaries.OurEtcd,
                    ["--data-dir", dataDir, "--listen-client-urls", url, "--advertise-client-urls", url, "--listen-peer-urls", $"http://127.0.0.1:{FreePort.Next()}",
                     "--cert-file", cert, "--key-file", key], timeout: TimeSpan.FromSeconds(20));
                Assert.NotEqual(0, run.ExitCode);
                Assert.Contains(Path.GetFileName(cert), run.Stdout + run.Stderr);
                Assert.DoesNotContain("   at ", run.Stdout + run.Stderr);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>
    /// Adds <paramref name="member"/>; a cluster that just started refuses ("unhealthy cluster")
    /// until its members have been connected for a while, as etcd's strict reconfiguration check does.
    /// </summary>
    private async Task AddMemberAsync(ClusterOfProcesses cluster, ClusterMember member)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var added = await EtcdctlAsync(cluster.Endpoints, _certs.Client, "member", "add", member.Name, "--peer-urls", member.PeerUrl);
            if (added.ExitCode == 0) return;
            Assert.True(added.Stderr.Contains("unhealthy cluster") && DateTime.UtcNow < deadline, added.ToString());
            await Task.Delay(200);
        }
    }

    private HttpClient HttpsClient((string Cert, string Key)? identity, SslProtocols protocols = SslProtocols.None, Action<X509Certificate2>? capture = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(_certs.CaFile);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck },
                EnabledSslProtocols = protocols,
            },
        };
        if (capture is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is not null) capture(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                return errors == SslPolicyErrors.None;
            };
        }
        if (identity is { } pair)
        {
            using var pem = X509Certificate2.CreateFromPemFile(pair.Cert, pair.Key);
            // SslStream needs the key in a form it can use for the handshake on Linux.
            handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }
}
