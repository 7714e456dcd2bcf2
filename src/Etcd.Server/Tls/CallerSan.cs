using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Etcd.Server.Tls;

/// <summary>
/// The peer port's check that a calling member's certificate names the address it calls from
/// (etcd's checkSAN, off with --experimental-peer-skip-client-san-verification): a certificate
/// with no IP or DNS SANs passes; otherwise the address must be one of its IPs or one its DNS
/// names resolve to.
/// </summary>
public static class CallerSan
{
    /// <summary>Null when the certificate names <paramref name="address"/>, else etcd's error.</summary>
    public static string? Check(X509Certificate2 certificate, IPAddress address)
    {
        var (ips, dns) = Names(certificate);
        if (ips.Count == 0 && dns.Count == 0) return null;
        var remote = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var ip in ips)
        {
            if (IPAddress.TryParse(ip, out var parsed) && parsed.Equals(remote)) return null;
        }
        if (dns.Count == 0) return $"x509: certificate is valid for {string.Join(", ", ips)}, not {remote}";
        foreach (var name in dns)
        {
            if (name.StartsWith("*.", StringComparison.Ordinal)) continue;
            try
            {
                // Synchronous, as etcd's lookup is: it runs only for a certificate whose IPs
                // did not match, inside a handshake that is already off the hot path.
                foreach (var resolved in Dns.GetHostAddresses(name))
                {
                    var candidate = resolved.IsIPv4MappedToIPv6 ? resolved.MapToIPv4() : resolved;
                    if (candidate.Equals(remote)) return null;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // An unresolvable name names nobody.
            }
        }
        return $"tls: \"{remote}\" does not match any of DNSNames [{string.Join(" ", dns.Select(d => $"\"{d}\""))}]";
    }

    /// <summary>A certificate's IP and DNS subject alternative names.</summary>
    public static (List<string> Ips, List<string> Dns) Names(X509Certificate2 certificate)
    {
        var ips = new List<string>();
        var dns = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension san) continue;
            foreach (var ip in san.EnumerateIPAddresses()) ips.Add(ip.ToString());
            foreach (var name in san.EnumerateDnsNames()) dns.Add(name);
        }
        return (ips, dns);
    }
}
