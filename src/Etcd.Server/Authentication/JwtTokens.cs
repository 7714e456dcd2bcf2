using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Etcd.Api.Text;

namespace Etcd.Server.Authentication;

/// <summary>
/// etcd's signed tokens (<c>--auth-token jwt,sign-method=...,pub-key=...,priv-key=...,ttl=...</c>):
/// a JWT with the claims username, revision (the auth store's) and exp (Unix seconds), signed
/// with RS/PS/ES 256/384/512 (PEM keys) or HS 256/384/512 (the private key file's bytes are the
/// shared secret). Any member with the same keys verifies a token another member signed; with a
/// public key alone a member verifies and cannot sign (etcd's "verify-only").
/// </summary>
public sealed class JwtTokens
{
    /// <summary>etcd's default token life when the options give no ttl.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(5);

    private readonly string _method;
    private readonly HashAlgorithmName _hash;
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;
    private readonly byte[]? _secret;
    private readonly RSASignaturePadding _padding = RSASignaturePadding.Pkcs1;
    private readonly byte[] _encodedHeader;
    private readonly TimeProvider _clock;

    private JwtTokens(string method, HashAlgorithmName hash, RSA? rsa, ECDsa? ec, byte[]? secret, bool canSign, TimeSpan ttl, TimeProvider clock)
    {
        _method = method;
        _hash = hash;
        _rsa = rsa;
        _ec = ec;
        _secret = secret;
        if (method[0] == 'P') _padding = RSASignaturePadding.Pss;
        CanSign = canSign;
        Ttl = ttl;
        _clock = clock;
        _encodedHeader = Base64Url.EncodeToUtf8(Encoding.UTF8.GetBytes($"{{\"alg\":\"{method}\",\"typ\":\"JWT\"}}"));
    }

    public string SignMethod => _method;

    public TimeSpan Ttl { get; }

    /// <summary>False with a public key alone: Authenticate then fails with etcd's "verify-only" error.</summary>
    public bool CanSign { get; }

    /// <summary>
    /// Reads the options after "jwt," as etcd does; throws <see cref="JwtOptionsException"/> with
    /// etcd's message (naming the file where one cannot be read or parsed).
    /// </summary>
    public static JwtTokens Load(IReadOnlyDictionary<string, string> options, TimeProvider clock)
    {
        var ttl = DefaultTtl;
        if (options.TryGetValue("ttl", out var ttlText) && ttlText.Length > 0 && !GoDuration.TryParse(ttlText, out ttl))
            throw new JwtOptionsException("auth: invalid auth options");
        var publicKey = ReadKey(options, "pub-key");
        var privateKey = ReadKey(options, "priv-key");
        var method = options.GetValueOrDefault("sign-method") ?? "";
        if (method.Length != 5 || HashOf(method) is not { } hash) throw new JwtOptionsException("auth: invalid auth options");
        switch (method[..2])
        {
            case "HS":
                if (privateKey is null || privateKey.Value.Bytes.Length == 0) throw new JwtOptionsException("auth: missing key data");
                return new JwtTokens(method, hash, null, null, privateKey.Value.Bytes, canSign: true, ttl, clock);
            case "RS" or "PS":
                {
                    var rsa = RSA.Create();
                    if (privateKey is { } priv) Import(priv, text => rsa.ImportFromPem(text), "RSA private key");
                    else if (publicKey is { } pub) ImportPublic(pub, rsa, cert => cert.GetRSAPublicKey(), "RSA public key");
                    else throw new JwtOptionsException("auth: missing key data");
                    if (privateKey is not null && publicKey is { } check && !SameRsaKey(rsa, check))
                        throw new JwtOptionsException("auth: public and private keys don't match");
                    return new JwtTokens(method, hash, rsa, null, null, canSign: privateKey is not null, ttl, clock);
                }
            default: // ES
                {
                    var ec = ECDsa.Create();
                    if (privateKey is { } priv) Import(priv, text => ec.ImportFromPem(text), "EC private key");
                    else if (publicKey is { } pub) ImportPublic(pub, ec, cert => cert.GetECDsaPublicKey(), "EC public key");
                    else throw new JwtOptionsException("auth: missing key data");
                    var expectedBits = method switch { "ES256" => 256, "ES384" => 384, _ => 521 };
                    if (ec.KeySize != expectedBits) throw new JwtOptionsException($"{method} needs a P-{expectedBits} key, the key has {ec.KeySize} bits");
                    return new JwtTokens(method, hash, null, ec, null, canSign: privateKey is not null, ttl, clock);
                }
        }
    }

    private static HashAlgorithmName? HashOf(string method)
    {
        if (method[..2] is not ("RS" or "PS" or "ES" or "HS")) return null;
        return method[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => null,
        };
    }

    private readonly record struct KeyFile(string Path, byte[] Bytes);

    private static KeyFile? ReadKey(IReadOnlyDictionary<string, string> options, string name)
    {
        if (!options.TryGetValue(name, out var path) || path.Length == 0) return null;
        try
        {
            return new KeyFile(path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JwtOptionsException($"auth: invalid auth options ({name} {path}: {e.Message})");
        }
    }

    private static void Import(KeyFile file, Action<string> import, string what)
    {
        try
        {
            import(Encoding.UTF8.GetString(file.Bytes));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new JwtOptionsException($"{file.Path}: not a PEM encoded {what}: {e.Message}");
        }
    }

    // A public key file holds the key itself or, as etcd accepts too, a certificate carrying it.
    private static void ImportPublic<T>(KeyFile file, T key, Func<X509Certificate2, T?> fromCertificate, string what)
        where T : AsymmetricAlgorithm
    {
        var text = Encoding.UTF8.GetString(file.Bytes);
        if (!text.Contains("CERTIFICATE-----", StringComparison.Ordinal))
        {
            Import(file, pem => key.ImportFromPem(pem), what);
            return;
        }
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(text);
            using var fromCert = fromCertificate(certificate) ?? throw new CryptographicException("the certificate holds another kind of key");
            key.ImportSubjectPublicKeyInfo(fromCert.ExportSubjectPublicKeyInfo(), out _);
        }
        catch (CryptographicException e)
        {
            throw new JwtOptionsException($"{file.Path}: not a PEM encoded {what}: {e.Message}");
        }
    }

    private static bool SameRsaKey(RSA privateKey, KeyFile publicFile)
    {
        using var pub = RSA.Create();
        ImportPublic(publicFile, pub, cert => cert.GetRSAPublicKey(), "RSA public key");
        var a = privateKey.ExportParameters(false);
        var b = pub.ExportParameters(false);
        return a.Modulus.AsSpan().SequenceEqual(b.Modulus) && a.Exponent.AsSpan().SequenceEqual(b.Exponent);
    }

    /// <summary>A token for <paramref name="user"/> at auth revision <paramref name="revision"/>, valid for <see cref="Ttl"/>.</summary>
    public string Sign(string user, ulong revision)
    {
        if (!CanSign) throw Api.EtcdErrors.Unknown("auth: token signing attempted with verify-only key");
        var expires = _clock.GetUtcNow().Add(Ttl).ToUnixTimeSeconds();
        var claims = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(claims))
        {
            // Go marshals a map with its keys sorted.
            json.WriteStartObject();
            json.WriteNumber("exp", expires);
            json.WriteNumber("revision", revision);
            json.WriteString("username", user);
            json.WriteEndObject();
        }
        var encodedClaims = Base64Url.EncodeToUtf8(claims.WrittenSpan);
        var signed = new byte[_encodedHeader.Length + 1 + encodedClaims.Length];
        _encodedHeader.CopyTo(signed, 0);
        signed[_encodedHeader.Length] = (byte)'.';
        encodedClaims.CopyTo(signed, _encodedHeader.Length + 1);
        var signature = Base64Url.EncodeToString(SignatureOf(signed));
        return Encoding.ASCII.GetString(signed) + "." + signature;
    }

    private byte[] SignatureOf(byte[] data)
    {
        if (_secret is not null) return HmacOf(data);
        if (_rsa is not null) return _rsa.SignData(data, _hash, _padding);
        return _ec!.SignData(data, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private byte[] HmacOf(ReadOnlySpan<byte> data) => _hash.Name switch
    {
        "SHA256" => HMACSHA256.HashData(_secret, data),
        "SHA384" => HMACSHA384.HashData(_secret, data),
        _ => HMACSHA512.HashData(_secret, data),
    };

    /// <summary>
    /// The caller a token names, or null when it is not one of ours: malformed, signed with
    /// another method or key, or expired (etcd answers all of these "invalid auth token").
    /// </summary>
    public AuthInfo? Verify(string token)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot) return null;
        var signedLength = Encoding.UTF8.GetByteCount(token.AsSpan(0, lastDot));
        var rented = ArrayPool<byte>.Shared.Rent(signedLength + token.Length);
        try
        {
            var signed = rented.AsSpan(0, signedLength);
            Encoding.UTF8.GetBytes(token.AsSpan(0, lastDot), signed);
            var signatureSpace = rented.AsSpan(signedLength);
            if (Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1), signatureSpace, out _, out var signatureLength) != OperationStatus.Done) return null;
            var signature = signatureSpace[..signatureLength];
            if (!SignatureMatches(signed, signature)) return null;
            if (!MethodMatches(signed[..firstDot])) return null;
            return ClaimsOf(signed[(firstDot + 1)..]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool SignatureMatches(ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
    {
        if (_secret is not null)
        {
            Span<byte> expected = stackalloc byte[64];
            var length = _hash.Name switch
            {
                "SHA256" => HMACSHA256.HashData(_secret, signed, expected),
                "SHA384" => HMACSHA384.HashData(_secret, signed, expected),
                _ => HMACSHA512.HashData(_secret, signed, expected),
            };
            return CryptographicOperations.FixedTimeEquals(expected[..length], signature);
        }
        if (_rsa is not null) return _rsa.VerifyData(signed, signature, _hash, _padding);
        return _ec!.VerifyData(signed, signature, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    // etcd refuses a token whose header names another method than the configured one.
    private bool MethodMatches(ReadOnlySpan<byte> encodedHeader)
    {
        var header = Base64Url.DecodeFromUtf8(encodedHeader);
        try
        {
            var reader = new Utf8JsonReader(header);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAlg = reader.ValueTextEquals("alg"u8);
                if (!reader.Read()) return false;
                if (isAlg) return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(_method);
                reader.Skip();
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private AuthInfo? ClaimsOf(ReadOnlySpan<byte> encodedClaims)
    {
        byte[] claims;
        try
        {
            claims = Base64Url.DecodeFromUtf8(encodedClaims);
        }
        catch (FormatException)
        {
            return null;
        }
        string? user = null;
        ulong revision = 0;
        double? expires = null;
        try
        {
            var reader = new Utf8JsonReader(claims);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read()) return null;
                switch (name)
                {
                    case "username" when reader.TokenType == JsonTokenType.String:
                        user = reader.GetString();
                        break;
                    case "revision" when reader.TokenType == JsonTokenType.Number:
                        revision = (ulong)reader.GetDouble();
                        break;
                    case "exp" when reader.TokenType == JsonTokenType.Number:
                        expires = reader.GetDouble();
                        break;
                    case "exp":
                        return null;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
        // Valid up to and including its exp second, as etcd's JWT library checks it.
        if (expires is { } exp && _clock.GetUtcNow().ToUnixTimeSeconds() > exp) return null;
        return user is null ? null : new AuthInfo(user, revision);
    }
}

/// <summary>--auth-token jwt options etcd would refuse at start, with its message.</summary>
public sealed class JwtOptionsException(string message) : Exception(message);
