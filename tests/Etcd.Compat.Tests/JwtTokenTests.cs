using System.Security.Cryptography;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Grpc.Core;
using Metadata = Grpc.Core.Metadata;

namespace Etcd.Compat.Tests;

/// <summary>
/// --auth-token jwt on a cluster of ours: the official etcdctl logs in with --user on any member, a
/// token one member signed is accepted by the others, and once its ttl is over it is refused with
/// the error reference etcd gives for its own expired token.
/// </summary>
public sealed class JwtTokenTests : IAsyncLifetime
{
    private readonly string _keys = Directory.CreateTempSubdirectory("etcd-jwt-keys-").FullName;
    private ClusterOfProcesses _cluster = null!;
    private string _option = "";

    public async Task InitializeAsync()
    {
        using var rsa = RSA.Create(2048);
        var priv = Path.Combine(_keys, "jwt.key");
        var pub = Path.Combine(_keys, "jwt.pub");
        await File.WriteAllTextAsync(priv, rsa.ExportRSAPrivateKeyPem());
        await File.WriteAllTextAsync(pub, rsa.ExportSubjectPublicKeyInfoPem());
        _option = $"jwt,pub-key={pub},priv-key={priv},sign-method=RS256,ttl=4s";
        _cluster = await ClusterOfProcesses.StartAsync(Binaries.OurEtcd, 3, ["--auth-token", _option]);
        await EnableAuthAsync(_cluster.Ctl());
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    private static async Task EnableAuthAsync(Etcdctl etcdctl)
    {
        foreach (var step in new[] { "user add root:rootpw", "user grant-role root root", "auth enable" })
        {
            var result = await etcdctl.RunAsync(step.Split(' '));
            Assert.True(result.ExitCode == 0, $"etcdctl {step}: {result}");
        }
    }

    private static async Task<string> TokenFromAsync(string endpoint)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        var response = await client.Auth.AuthenticateAsync(new AuthenticateRequest { Name = "root", Password = "rootpw" });
        Assert.Equal(3, response.Token.Split('.').Length);
        return response.Token;
    }

    private static async Task<RpcException?> RangeWithAsync(string endpoint, string token)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        try
        {
            await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("k") }, new Metadata { { "token", token } });
            return null;
        }
        catch (RpcException e)
        {
            return e;
        }
    }

    /// <summary>Polls until the token is refused (its ttl is seconds), then returns the refusal.</summary>
    private static async Task<RpcException> WaitRefusedAsync(string endpoint, string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await RangeWithAsync(endpoint, token) is { } refused) return refused;
            Assert.True(DateTime.UtcNow < deadline, "a token of ttl 4s still accepted after 30s");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task EtcdctlWithUserWorksOnEveryMember()
    {
        foreach (var member in _cluster.Members)
        {
            var put = await _cluster.Ctl(member.ClientUrl).RunAsync("--user", "root:rootpw", "put", "k-" + member.Name, "v");
            Assert.Equal("OK\n", put.Stdout);
            var get = await _cluster.Ctl(member.ClientUrl).RunAsync("--user", "root:rootpw", "get", "k-" + member.Name, "--print-value-only");
            Assert.Equal("v\n", get.Stdout);
        }
        var wrong = await _cluster.Ctl(_cluster.Members[1].ClientUrl).RunAsync("--user", "root:wrong", "get", "k");
        Assert.Contains("authentication failed, invalid user ID or password", wrong.Stderr);
    }

    [Fact]
    public async Task ATokenFromOneMemberIsAcceptedByTheOthersUntilItExpires()
    {
        var members = _cluster.Members;
        var token = await TokenFromAsync(members[0].ClientUrl);
        foreach (var member in members) Assert.Null(await RangeWithAsync(member.ClientUrl, token));
        var refused = await WaitRefusedAsync(members[1].ClientUrl, token);

        // Reference etcd with the same option refuses its own expired token the same way.
        await using var reference = await EtcdProcess.StartAsync(Binaries.ReferenceEtcd, extraArgs: ["--auth-token", _option]);
        await EnableAuthAsync(new Etcdctl(reference.Endpoint, Binaries.OfficialEtcdctl));
        var referenceToken = await TokenFromAsync(reference.Endpoint);
        Assert.Null(await RangeWithAsync(reference.Endpoint, referenceToken));
        var expected = await WaitRefusedAsync(reference.Endpoint, referenceToken);
        Assert.Equal(expected.StatusCode, refused.StatusCode);
        Assert.Equal(expected.Status.Detail, refused.Status.Detail);
        // A tampered token is refused the same way.
        Assert.Equal(refused.Status.Detail, (await RangeWithAsync(members[2].ClientUrl, "x" + token))!.Status.Detail);
    }
}
