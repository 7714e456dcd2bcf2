using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Etcd.Server.Logging;

namespace Etcd.Server.Tls;

/// <summary>
/// --auto-tls and --peer-auto-tls: a certificate the member makes for itself, as etcd makes it
/// (an ECDSA P-521 key, organization "etcd", the listen hosts as SANs, server authentication,
/// --self-signed-cert-validity years), kept in DATA_DIR/fixtures/{client,peer} and reused on
/// restart. Callers cannot verify it; it encrypts, it does not authenticate.
/// </summary>
public static class SelfSignedCertificate
{
    public static (string CertFile, string KeyFile) Ensure(string directory, IEnumerable<Uri> listenUrls, int validityYears, ZapLogger logger)
    {
        var certFile = Path.Combine(directory, "cert.pem");
        var keyFile = Path.Combine(directory, "key.pem");
        if (File.Exists(certFile) && File.Exists(keyFile)) return (certFile, keyFile);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException($"cannot create cert directory {directory}: {e.Message}", e);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var request = new CertificateRequest(new X500DistinguishedName("O=etcd"), key, HashAlgorithmName.SHA512);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        var anyName = false;
        foreach (var url in listenUrls)
        {
            var host = url.Host.Trim('[', ']');
            if (IPAddress.TryParse(host, out var ip)) names.AddIpAddress(ip);
            else if (host.Length > 0) names.AddDnsName(host);
            else continue;
            anyName = true;
        }
        if (anyName) request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now,
            now.AddDays(365.0 * Math.Max(validityYears, 1)), serial);

        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        logger.Info("created cert file", LogField.Of("path", certFile));
        // Created 0600: the key is never readable by others, not even for a moment.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(keyFile, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(PemEncoding.WriteString("EC PRIVATE KEY", key.ExportECPrivateKey()));
        }
        logger.Info("created key file", LogField.Of("path", keyFile));
        return (certFile, keyFile);
    }
}
