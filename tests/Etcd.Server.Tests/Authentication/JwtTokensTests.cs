using System.Security.Cryptography;
using System.Text;
using Etcd.Server.Api;
using Etcd.Server.Authentication;

namespace Etcd.Server.Tests.Authentication;

public sealed class JwtTokensTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("etcd-jwt-").FullName;
    private readonly WallClock _clock = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class WallClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The --auth-token value for <paramref name="method"/> with freshly made keys (private and public file).</summary>
    private string OptionFor(string method, bool publicOnly = false)
    {
        string priv, pub;
        switch (method[..2])
        {
            case "HS":
                return $"jwt,sign-method={method},priv-key={Write(method + ".secret", Convert.ToHexString(RandomNumberGenerator.GetBytes(32)))}";
            case "ES":
                {
                    using var ec = ECDsa.Create(method switch { "ES256" => ECCurve.NamedCurves.nistP256, "ES384" => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 });
                    priv = ec.ExportECPrivateKeyPem();
                    pub = ec.ExportSubjectPublicKeyInfoPem();
                    break;
                }
            default:
                {
                    using var rsa = RSA.Create(2048);
                    priv = rsa.ExportRSAPrivateKeyPem();
                    pub = rsa.ExportSubjectPublicKeyInfoPem();
                    break;
                }
        }
        var pubPath = Write(method + ".pub", pub);
        if (publicOnly) return $"jwt,sign-method={method},pub-key={pubPath}";
        return $"jwt,sign-method={method},pub-key={pubPath},priv-key={Write(method + ".key", priv)},ttl=10m";
    }

    public static TheoryData<string> Methods() => new()
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512",
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void ATokenOneMemberSignsAnotherWithTheSameKeysVerifies(string method)
    {
        var option = OptionFor(method);
        var memberA = AuthTokenOption.JwtOf(option, _clock)!;
        var memberB = AuthTokenOption.JwtOf(option, _clock)!;
        var token = memberA.Sign("alice", 7);
        var caller = memberB.Verify(token);
        Assert.NotNull(caller);
        Assert.Equal("alice", caller.Username);
        Assert.Equal(7UL, caller.Revision);
        // The header names the method; the claims are etcd's.
        var parts = token.Split('.');
        Assert.Equal($"{{\"alg\":\"{method}\",\"typ\":\"JWT\"}}", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])));
        var expires = _clock.Now.AddMinutes(method[..2] == "HS" ? 5 : 10).ToUnixTimeSeconds();
        Assert.Equal($"{{\"exp\":{expires},\"revision\":7,\"username\":\"alice\"}}", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])));
        // Another cluster's keys do not verify it, nor does a changed claim.
        Assert.Null(AuthTokenOption.JwtOf(OptionFor(method), _clock)!.Verify(token));
        var forgedClaims = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"exp\":{expires},\"revision\":7,\"username\":\"root\"}}"));
        Assert.Null(memberB.Verify($"{parts[0]}.{forgedClaims}.{parts[2]}"));
    }

    [Fact]
    public void AnExpiredTokenIsRefused()
    {
        var tokens = AuthTokenOption.JwtOf(OptionFor("ES256"), _clock)!;
        var token = tokens.Sign("alice", 1);
        _clock.Now = _clock.Now.AddMinutes(10);
        Assert.NotNull(tokens.Verify(token));
        _clock.Now = _clock.Now.AddSeconds(1);
        Assert.Null(tokens.Verify(token));
    }

    [Fact]
    public void GarbageAndOtherMethodsAreRefused()
    {
        var hs = AuthTokenOption.JwtOf(OptionFor("HS256"), _clock)!;
        foreach (var garbage in new[] { "", ".", "a.b", "a.b.c", "abcdefghijklmnop.12", "...", "x.y.!!!" }) Assert.Null(hs.Verify(garbage));
        // alg "none" with no signature, the classic JWT forgery.
        var none = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8);
        var claims = System.Buffers.Text.Base64Url.EncodeToString("{\"revision\":1,\"username\":\"root\"}"u8);
        Assert.Null(hs.Verify($"{none}.{claims}."));
    }

    [Fact]
    public void APublicKeyAloneVerifiesButCannotSign()
    {
        var option = OptionFor("RS256");
        var signer = AuthTokenOption.JwtOf(option, _clock)!;
        var pubOnly = option.Split(',').Where(p => !p.StartsWith("priv-key=", StringComparison.Ordinal) && !p.StartsWith("ttl=", StringComparison.Ordinal));
        var verifier = AuthTokenOption.JwtOf(string.Join(',', pubOnly), _clock)!;
        Assert.False(verifier.CanSign);
        Assert.Equal("alice", verifier.Verify(signer.Sign("alice", 3))!.Username);
        var refused = Assert.Throws<EtcdException>(() => verifier.Sign("alice", 3));
        Assert.Equal("auth: token signing attempted with verify-only key", refused.Message);
    }

    [Theory]
    [InlineData("jwt,sign-method=XX256", "auth: invalid auth options")]
    [InlineData("jwt", "auth: invalid auth options")]
    [InlineData("jwt,sign-method=RS256", "auth: missing key data")]
    [InlineData("jwt,sign-method=HS256", "auth: missing key data")]
    [InlineData("jwt,sign-method=RS256,sign-method=RS256", "auth: invalid auth options")]
    [InlineData("jwt,sign-method=RS256,ttl=forever", "auth: invalid auth options")]
    [InlineData("jwt,sign-method", "auth: invalid auth options")]
    [InlineData("other", "auth: invalid auth options")]
    public void OptionsEtcdRefusesStopTheStartWithItsMessage(string option, string message)
    {
        Assert.Equal(message, Assert.Throws<JwtOptionsException>(() => AuthTokenOption.JwtOf(option, _clock)).Message);
    }

    [Fact]
    public void KeysThatCannotBeUsedNameTheirFile()
    {
        var garbage = Write("garbage.pem", "not a key");
        var error = Assert.Throws<JwtOptionsException>(() => AuthTokenOption.JwtOf($"jwt,sign-method=RS256,priv-key={garbage}", _clock));
        Assert.Contains(garbage, error.Message);
        var missing = Path.Combine(_dir, "missing.pem");
        Assert.Contains(missing, Assert.Throws<JwtOptionsException>(() => AuthTokenOption.JwtOf($"jwt,sign-method=RS256,priv-key={missing}", _clock)).Message);
        // A P-256 key for ES384, and the public key of another pair.
        var es256 = OptionFor("ES256").Split(',').First(p => p.StartsWith("priv-key=", StringComparison.Ordinal));
        Assert.Throws<JwtOptionsException>(() => AuthTokenOption.JwtOf($"jwt,sign-method=ES384,{es256}", _clock));
        var a = OptionFor("RS256").Split(',');
        var b = OptionFor("RS512").Split(',');
        var mismatch = $"jwt,sign-method=RS256,{a.First(p => p.StartsWith("priv-key=", StringComparison.Ordinal))},{b.First(p => p.StartsWith("pub-key=", StringComparison.Ordinal))}";
        Assert.Equal("auth: public and private keys don't match", Assert.Throws<JwtOptionsException>(() => AuthTokenOption.JwtOf(mismatch, _clock)).Message);
        Assert.Null(AuthTokenOption.JwtOf("simple", _clock));
    }
}
