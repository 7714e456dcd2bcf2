using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Etcd.Compat.Tests.Tls;

/// <summary>
/// The certificates the TLS tests need, made fresh in a temporary directory as PEM files: a CA;
/// a kubeadm-style member certificate (serverAuth and clientAuth, SANs 127.0.0.1 and localhost,
/// used as server, peer and, as the seeds do, etcdctl's client certificate); a client certificate
/// with common name "client"; one from a foreign CA; one revoked in the CA's CRL; a member
/// certificate with another common name.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private X509Certificate2? _ca;

    private TestCertificates(string dir) => Dir = dir;

    public string Dir { get; }
    public string CaFile => Path.Combine(Dir, "ca.crt");
    public string CrlFile => Path.Combine(Dir, "ca.crl");
    public string ForeignCaFile => Path.Combine(Dir, "foreign-ca.crt");
    public (string Cert, string Key) Member => Pair("member");
    public (string Cert, string Key) Client => Pair("client");
    public (string Cert, string Key) Foreign => Pair("foreign");
    public (string Cert, string Key) ForeignMember => Pair("foreign-member");
    public (string Cert, string Key) Revoked => Pair("revoked");
    public (string Cert, string Key) OtherNameMember => Pair("other-name-member");

    private (string, string) Pair(string name) => (Path.Combine(Dir, name + ".crt"), Path.Combine(Dir, name + ".key"));

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(Directory.CreateTempSubdirectory("etcd-tls-test-").FullName);
        var ca = certificates._ca = SelfSignedCa("etcd-test-ca");
        using var foreignCa = SelfSignedCa("foreign-ca");
        certificates.WriteCert("ca.crt", ca);
        certificates.WriteCert("foreign-ca.crt", foreignCa);
        certificates.Issue("member", "member", ca, serverAndClient: true);
        certificates.Issue("client", "client", ca, serverAndClient: false);
        certificates.Issue("foreign", "client", foreignCa, serverAndClient: false);
        certificates.Issue("foreign-member", "member", foreignCa, serverAndClient: true);
        certificates.Issue("other-name-member", "intruder", ca, serverAndClient: true);
        using var revoked = certificates.Issue("revoked", "client", ca, serverAndClient: false);
        var crl = new CertificateRevocationListBuilder();
        crl.AddEntry(revoked, DateTimeOffset.UtcNow.AddMinutes(-1));
        var now = DateTimeOffset.UtcNow;
        var der = crl.Build(ca, 1, now.AddDays(1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, thisUpdate: now.AddMinutes(-5));
        File.WriteAllText(certificates.CrlFile, PemEncoding.WriteString("X509 CRL", der) + "\n");
        return certificates;
    }

    /// <summary>Writes a new member certificate and key over the old files (a renewal in place, as cert-manager does); returns its serial number.</summary>
    public string RenewMember()
    {
        using var renewed = Issue("member", "member", _ca!, serverAndClient: true);
        return renewed.SerialNumber;
    }

    private static X509Certificate2 SelfSignedCa(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
    }

    private X509Certificate2 Issue(string file, string commonName, X509Certificate2 issuer, bool serverAndClient)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(serverAndClient ? [ServerAuth, ClientAuth] : [ClientAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        var certificate = request.Create(issuer, now.AddMinutes(-5), now.AddDays(1), serial);
        WriteCert(file + ".crt", certificate);
        File.WriteAllText(Path.Combine(Dir, file + ".key"), key.ExportPkcs8PrivateKeyPem() + "\n");
        return certificate;
    }

    private void WriteCert(string file, X509Certificate2 certificate) =>
        File.WriteAllText(Path.Combine(Dir, file), certificate.ExportCertificatePem() + "\n");

    public void Dispose()
    {
        _ca?.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
