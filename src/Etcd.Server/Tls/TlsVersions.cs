using System.Security.Authentication;

namespace Etcd.Server.Tls;

/// <summary>--tls-min-version and --tls-max-version, with etcd's names and checks.</summary>
public static class TlsVersions
{
    /// <summary>The protocols a listener and a peer client allow.</summary>
    /// <exception cref="FormatException">etcd's message for a name or a range it refuses.</exception>
    public static SslProtocols Parse(string min, string max, bool cipherSuitesGiven)
    {
        var low = Version(min);
        var high = max.Length == 0 ? 13 : Version(max);
        if (max.Length > 0 && low > high) throw new FormatException($"min version ({min}) is greater than max version ({max})");
        if (low == 13 && cipherSuitesGiven) throw new FormatException("cipher suites cannot be configured when only TLS1.3 is enabled");
        var protocols = SslProtocols.None;
        if (low <= 12 && high >= 12) protocols |= SslProtocols.Tls12;
        if (high >= 13) protocols |= SslProtocols.Tls13;
        return protocols;
    }

    private static int Version(string name) => name switch
    {
        "" or "TLS1.2" => 12,
        "TLS1.3" => 13,
        _ => throw new FormatException($"unexpected TLS version \"{name}\" (must be one of: TLS1.2, TLS1.3)"),
    };
}
