using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Etcd.Server.Logging;

namespace Etcd.Server.Tls;

/// <summary>
/// The server side of one TLS listener (client or peer port): the member's certificate, re-read
/// when its files change; a caller's certificate asked for and checked against the trusted CA
/// when etcd would (--client-cert-auth or a trusted CA file), then against the revocation list,
/// the allowed common name or hostname and, on the peer port, the caller's address. A caller
/// that fails any check is refused in the handshake: it never reaches HTTP.
/// </summary>
public sealed class ListenerTls
{
    // id-kp-clientAuth: Go verifies a caller's certificate for client authentication only.
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly TlsSettings _settings;
    private readonly ReloadingCertificate _certificate;
    private readonly X509ChainPolicy? _trust;
    private readonly RevocationList? _revoked;
    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _ciphers;
    private readonly ZapLogger _logger;

    /// <exception cref="TlsFileException">A certificate, key, CA or CRL file cannot be read or parsed.</exception>
    public ListenerTls(TlsSettings settings, TlsProtocol protocol, ZapLogger logger)
    {
        _settings = settings;
        _logger = logger;
        _protocols = protocol.Protocols;
        _ciphers = protocol.CipherSuites;
        _certificate = new ReloadingCertificate(settings.CertFile, settings.KeyFile, logger);
        if (settings.TrustedCaFile.Length > 0)
        {
            _trust = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            _trust.CustomTrustStore.AddRange(PemFiles.LoadBundle(settings.TrustedCaFile));
            _trust.ApplicationPolicy.Add(ClientAuth);
        }
        if (settings.CrlFile.Length > 0) _revoked = new RevocationList(settings.CrlFile);
    }

    public TlsSettings Settings => _settings;

    /// <summary>The member's certificate as it stands now (re-read when its files changed).</summary>
    public X509Certificate2 Certificate => _certificate.Certificate;

    /// <summary>The options for one handshake with a caller at <paramref name="remote"/>.</summary>
    public SslServerAuthenticationOptions OptionsFor(EndPoint? remote, List<SslApplicationProtocol> applicationProtocols)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate.Context,
            ApplicationProtocols = applicationProtocols,
            EnabledSslProtocols = _protocols,
            CipherSuitesPolicy = _ciphers,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = _settings.RequiresCallerCertificate,
        };
        if (_settings.RequiresCallerCertificate)
        {
            if (_trust is not null) options.CertificateChainPolicy = _trust.Clone();
            options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Verify(certificate, chain, errors, remote);
        }
        return options;
    }

    private bool Verify(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, EndPoint? remote)
    {
        if (certificate is null)
        {
            Reject(remote, null, "tls: client didn't provide a certificate");
            return false;
        }
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (errors != SslPolicyErrors.None)
        {
            Reject(remote, leaf, "tls: failed to verify client certificate: " + Describe(chain, errors));
            return false;
        }
        if (_revoked?.Check(leaf, chain) is { } revoked)
        {
            Reject(remote, leaf, revoked);
            return false;
        }
        if (_settings.AllowedCn.Length > 0 && leaf.GetNameInfo(X509NameType.SimpleName, false) != _settings.AllowedCn)
        {
            Reject(remote, leaf, "client certificate authentication failed");
            return false;
        }
        if (_settings.AllowedHostname.Length > 0 && !leaf.MatchesHostname(_settings.AllowedHostname, allowWildcards: true, allowCommonName: false))
        {
            Reject(remote, leaf, "client certificate authentication failed");
            return false;
        }
        if (_settings.CheckCallerSan && remote is IPEndPoint address && CallerSan.Check(leaf, address.Address) is { } mismatch)
        {
            Reject(remote, leaf, mismatch);
            return false;
        }
        return true;
    }

    private static string Describe(X509Chain? chain, SslPolicyErrors errors)
    {
        if (chain is not null)
        {
            foreach (var status in chain.ChainStatus)
            {
                if (status.Status == X509ChainStatusFlags.NoError) continue;
                return status.Status switch
                {
                    X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "x509: certificate signed by unknown authority",
                    X509ChainStatusFlags.NotValidForUsage => "x509: certificate specifies an incompatible key usage",
                    X509ChainStatusFlags.NotTimeValid => "x509: certificate has expired or is not yet valid",
                    _ => status.StatusInformation.Trim(),
                };
            }
        }
        return errors.ToString();
    }

    // etcd's "rejected connection" warning for a failed handshake.
    private void Reject(EndPoint? remote, X509Certificate2? certificate, string error)
    {
        if (certificate is null)
        {
            _logger.Warn("rejected connection", LogField.Of("remote-addr", remote?.ToString()), LogField.Of("server-name", ""), LogField.Of("error", error));
            return;
        }
        var (ips, dns) = CallerSan.Names(certificate);
        _logger.Warn("rejected connection", LogField.Of("remote-addr", remote?.ToString()), LogField.Of("server-name", ""),
            LogField.Of("ip-addresses", ips), LogField.Of("dns-names", dns), LogField.Of("error", error));
    }
}
