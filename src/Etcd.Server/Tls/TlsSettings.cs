namespace Etcd.Server.Tls;

/// <summary>
/// One side's TLS flags (client or peer), as etcd groups them: the member's certificate and key,
/// the CA its callers' certificates must chain to, whether a caller must show one, the revocation
/// list, and the name a caller's certificate must carry.
/// </summary>
public sealed record TlsSettings
{
    public string CertFile { get; init; } = "";
    public string KeyFile { get; init; } = "";
    /// <summary>The certificate this member shows when it calls out (defaults to <see cref="CertFile"/>).</summary>
    public string ClientCertFile { get; init; } = "";
    public string ClientKeyFile { get; init; } = "";
    public string TrustedCaFile { get; init; } = "";
    public bool ClientCertAuth { get; init; }
    public string CrlFile { get; init; } = "";
    public string AllowedCn { get; init; } = "";
    public string AllowedHostname { get; init; } = "";
    /// <summary>Made by --auto-tls/--peer-auto-tls: callers skip verifying it (etcd's selfCert).</summary>
    public bool SelfSigned { get; init; }
    /// <summary>Peer listener only: a caller's certificate SANs must name the address it calls from.</summary>
    public bool CheckCallerSan { get; init; }

    /// <summary>etcd's TLSInfo.Empty: no certificate and no key given.</summary>
    public bool IsEmpty => CertFile.Length == 0 && KeyFile.Length == 0;

    /// <summary>
    /// etcd asks for and verifies a caller's certificate when a CA is given as well as with
    /// --client-cert-auth (its ServerConfig sets RequireAndVerifyClientCert for either).
    /// </summary>
    public bool RequiresCallerCertificate => ClientCertAuth || TrustedCaFile.Length > 0;

    public override string ToString() =>
        $"cert = {CertFile}, key = {KeyFile}, trusted-ca = {TrustedCaFile}, client-cert-auth = {(ClientCertAuth ? "true" : "false")}, crl-file = {CrlFile}";
}
