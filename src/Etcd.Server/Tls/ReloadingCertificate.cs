using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Etcd.Server.Logging;

namespace Etcd.Server.Tls;

/// <summary>
/// A certificate and key pair that follows its files: etcd re-reads them on every handshake so
/// that a renewal in place takes effect without a restart. Here a handshake only stats the two
/// files and re-reads them when either changed; a renewal caught half-written keeps the previous
/// pair (and says so) until the files parse again.
/// </summary>
public sealed class ReloadingCertificate
{
    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly ZapLogger? _logger;
    private readonly Lock _reload = new();
    private volatile Loaded _current;

    private sealed record Loaded(X509Certificate2 Leaf, SslStreamCertificateContext Context, FileStamp Cert, FileStamp Key);

    /// <summary>Reads the pair now: a pair that cannot be read stops the member at start.</summary>
    /// <exception cref="TlsFileException">The files cannot be read or parsed.</exception>
    public ReloadingCertificate(string certFile, string keyFile, ZapLogger? logger)
    {
        _certFile = certFile;
        _keyFile = keyFile;
        _logger = logger;
        _current = Load(FileStamp.Of(certFile), FileStamp.Of(keyFile));
    }

    public string CertFile => _certFile;
    public string KeyFile => _keyFile;

    /// <summary>The pair for a new handshake (server side).</summary>
    public SslStreamCertificateContext Context => Current().Context;

    /// <summary>The certificate with its key, for a handshake where this member is the client.</summary>
    public X509Certificate2 Certificate => Current().Leaf;

    private Loaded Current()
    {
        var current = _current;
        var cert = FileStamp.Of(_certFile);
        var key = FileStamp.Of(_keyFile);
        if (cert == current.Cert && key == current.Key) return current;
        lock (_reload)
        {
            current = _current;
            if (cert == current.Cert && key == current.Key) return current;
            try
            {
                _current = current = Load(cert, key);
                _logger?.Info("reloaded TLS certificate", LogField.Of("cert-file", _certFile), LogField.Of("key-file", _keyFile));
            }
            catch (TlsFileException e)
            {
                _logger?.Warn("failed to create certificate", LogField.Of("cert-file", _certFile), LogField.Of("key-file", _keyFile),
                    LogField.Of("error", e.Message));
                // Remember the stamps so a broken file is not re-parsed on every handshake.
                _current = current = current with { Cert = cert, Key = key };
            }
            return current;
        }
    }

    private Loaded Load(FileStamp cert, FileStamp key)
    {
        var (leaf, chain) = PemFiles.LoadKeyPair(_certFile, _keyFile);
        // offline: the chain is what the file holds; nothing is fetched while a caller waits.
        var context = SslStreamCertificateContext.Create(leaf, chain, offline: true);
        return new Loaded(leaf, context, cert, key);
    }
}
