using Etcd.Server.Configuration;
using Etcd.Server.Core;
using Etcd.Server.Logging;

namespace Etcd.Server.Tls;

/// <summary>
/// A member's TLS, set up once at start as etcd sets it up: self-signed certificates made for
/// --auto-tls/--peer-auto-tls when no files are given; files read only when some URL is https
/// (certificates given with http:// URLs alone are ignored, with etcd's warning); an https URL
/// without a certificate, or a file that cannot be read, stops the member with a message naming it.
/// </summary>
public sealed class MemberTls
{
    private MemberTls(ListenerTls? client, ListenerTls? peer, CallerTls peerCaller, bool clientCertAuth)
    {
        Client = client;
        Peer = peer;
        PeerCaller = peerCaller;
        ClientCertAuth = clientCertAuth;
    }

    /// <summary>The client port's TLS; null when every client URL is cleartext.</summary>
    public ListenerTls? Client { get; }

    /// <summary>The peer port's TLS; null when every peer URL is cleartext.</summary>
    public ListenerTls? Peer { get; }

    /// <summary>How this member calls other members' https peer URLs.</summary>
    public CallerTls PeerCaller { get; }

    /// <summary>--client-cert-auth in effect: a verified client certificate's common name is the user when no token is given.</summary>
    public bool ClientCertAuth { get; }

    /// <summary>Cleartext everywhere: what tests and tools that build a member by hand start from.</summary>
    public static MemberTls None { get; } = new(null, null, new CallerTls(new TlsSettings(), TlsProtocol.Default, null), false);

    /// <exception cref="BootstrapException">etcd's refusal: an https URL without certificate, or a file that cannot be used.</exception>
    public static MemberTls Create(EtcdConfig config, ZapLogger logger)
    {
        try
        {
            var client = SelfSignedIfAsked(config.ClientTls, config.AutoTls, "client", config.ListenClientUrls, config, logger);
            var peer = SelfSignedIfAsked(config.PeerTls, config.PeerAutoTls, "peer", config.ListenPeerUrls, config, logger);
            var clientUrls = config.ListenClientUrls.Concat(config.ListenMetricsUrls).ToList();
            var clientListener = ListenerFor(client, clientUrls, "client-url", "--client-cert-auth", config.TlsProtocol, logger);
            var peerListener = ListenerFor(peer, config.ListenPeerUrls, "peer-url", "--peer-client-cert-auth", config.TlsProtocol, logger);
            if (clientListener is not null)
                logger.Info("starting with client TLS", LogField.Of("tls-info", client.ToString()), LogField.Of("cipher-suites", config.TlsProtocol.CipherSuiteNames));
            if (peerListener is not null)
                logger.Info("starting with peer TLS", LogField.Of("tls-info", peer.ToString()), LogField.Of("cipher-suites", config.TlsProtocol.CipherSuiteNames));
            var caller = new CallerTls(peer, config.TlsProtocol, logger);
            return new MemberTls(clientListener, peerListener, caller, clientListener is not null && client.ClientCertAuth);
        }
        catch (TlsFileException e)
        {
            throw new BootstrapException(e.Message);
        }
    }

    private static TlsSettings SelfSignedIfAsked(TlsSettings given, bool auto, string side, IReadOnlyList<Uri> urls, EtcdConfig config, ZapLogger logger)
    {
        if (!auto) return given;
        if (!given.IsEmpty)
        {
            logger.Warn($"ignoring {side} auto TLS since certs given");
            return given;
        }
        var (cert, key) = SelfSignedCertificate.Ensure(Path.Combine(config.DataDir, "fixtures", side), urls, config.SelfSignedCertValidityYears, logger);
        // etcd replaces the whole TLS info with the self-signed one: no CA, no client
        // certificate authentication, nothing a caller could be checked against.
        return new TlsSettings { CertFile = cert, KeyFile = key, SelfSigned = true, CheckCallerSan = given.CheckCallerSan };
    }

    private static ListenerTls? ListenerFor(TlsSettings settings, IReadOnlyList<Uri> urls, string urlField, string certAuthFlag, TlsProtocol protocol, ZapLogger logger)
    {
        var anySecure = false;
        foreach (var url in urls)
        {
            if (url.Scheme is "https" or "unixs")
            {
                if (settings.IsEmpty)
                {
                    throw new BootstrapException(urlField == "client-url"
                        ? $"TLS key/cert (--cert-file, --key-file) must be provided for client url {url.OriginalString} with HTTPS scheme"
                        : $"cannot listen on TLS for {url.Authority}: KeyFile and CertFile are not presented");
                }
                anySecure = true;
                continue;
            }
            if (!settings.IsEmpty)
                logger.Warn("scheme is HTTP while key and cert files are present; ignoring key and cert files", LogField.Of(urlField, url.OriginalString));
            if (settings.ClientCertAuth)
                logger.Warn($"scheme is HTTP while {certAuthFlag} is enabled; ignoring client cert auth for this URL", LogField.Of(urlField, url.OriginalString));
        }
        if (!anySecure) return null;
        if (settings.CertFile.Length == 0 || settings.KeyFile.Length == 0)
            throw new BootstrapException($"KeyFile and CertFile must both be present[key: {settings.KeyFile}, cert: {settings.CertFile}]");
        return new ListenerTls(settings, protocol, logger);
    }
}
