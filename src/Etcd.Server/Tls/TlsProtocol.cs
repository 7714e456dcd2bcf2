using System.Net.Security;
using System.Security.Authentication;

namespace Etcd.Server.Tls;

/// <summary>What --tls-min-version, --tls-max-version and --cipher-suites allow, shared by every TLS listener and peer client.</summary>
public sealed record TlsProtocol(SslProtocols Protocols, CipherSuitesPolicy? CipherSuites, IReadOnlyList<string> CipherSuiteNames)
{
    public static readonly TlsProtocol Default = new(SslProtocols.Tls12 | SslProtocols.Tls13, null, []);

    /// <exception cref="FormatException">etcd's message for an unknown suite or version.</exception>
    public static TlsProtocol Parse(IReadOnlyList<string> cipherSuites, string minVersion, string maxVersion)
    {
        var protocols = TlsVersions.Parse(minVersion, maxVersion, cipherSuites.Count > 0);
        var suites = cipherSuites.Count == 0 ? null : GoCipherSuites.Parse(cipherSuites);
        // .NET applies a cipher suite list through OpenSSL only: not on Windows.
        if (suites is not null && OperatingSystem.IsWindows()) throw new FormatException("--cipher-suites is not supported on Windows");
        var policy = suites is null || OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(suites);
        return new TlsProtocol(protocols, policy, cipherSuites);
    }
}
