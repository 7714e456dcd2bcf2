using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Etcd.Server.Logging;

namespace Etcd.Server.Tls;

/// <summary>
/// This member as a TLS client of its peers: it shows its peer certificate (re-read when its
/// files change) and verifies the other member's certificate against --peer-trusted-ca-file
/// (the system's roots without one) and the host of the peer URL, as etcd's ClientConfig does.
/// A self-signed (--peer-auto-tls) member skips verification, as etcd does: auto TLS encrypts,
/// it does not authenticate.
/// </summary>
public sealed class CallerTls
{
    // id-kp-serverAuth.
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    private readonly ReloadingCertificate? _certificate;
    private readonly X509ChainPolicy? _trust;
    private readonly bool _skipVerify;
    private readonly TlsProtocol _protocol;

    /// <exception cref="TlsFileException">A certificate, key or CA file cannot be read or parsed.</exception>
    public CallerTls(TlsSettings settings, TlsProtocol protocol, ZapLogger? logger)
    {
        _protocol = protocol;
        _skipVerify = settings.SelfSigned;
        var certFile = settings.ClientCertFile.Length > 0 ? settings.ClientCertFile : settings.CertFile;
        var keyFile = settings.ClientKeyFile.Length > 0 ? settings.ClientKeyFile : settings.KeyFile;
        if (certFile.Length > 0 && keyFile.Length > 0) _certificate = new ReloadingCertificate(certFile, keyFile, logger);
        if (settings.TrustedCaFile.Length > 0)
        {
            _trust = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            _trust.CustomTrustStore.AddRange(PemFiles.LoadBundle(settings.TrustedCaFile));
            _trust.ApplicationPolicy.Add(ServerAuth);
        }
    }

    /// <summary>The options a peer channel's handler uses for every connection it opens.</summary>
    public SslClientAuthenticationOptions Options()
    {
        var options = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = _protocol.Protocols,
            CipherSuitesPolicy = _protocol.CipherSuites,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = _trust?.Clone(),
        };
        if (_certificate is { } certificate)
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate.Certificate;
        if (_skipVerify) options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return options;
    }
}
