using System.Globalization;
using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// The metadata every peer call carries (etcd sends the same facts as HTTP headers): who calls,
/// for which cluster, whom it means to reach, and where the caller can be reached back.
/// </summary>
public static class PeerHeaders
{
    public const string ClusterId = "x-etcd-cluster-id";
    public const string From = "x-server-from";
    public const string To = "x-raft-to";
    public const string PeerUrls = "x-peerurls";
    public const string ServerVersion = "x-server-version";

    public static Metadata For(ulong clusterId, ulong from, ulong to, IReadOnlyList<string> peerUrls) => new()
    {
        { ClusterId, Hex(clusterId) },
        { From, Hex(from) },
        { To, Hex(to) },
        { PeerUrls, string.Join(",", peerUrls) },
        { ServerVersion, Core.EtcdServer.Version },
    };

    /// <summary>An id as etcd prints it: lower-case hex without leading zeros.</summary>
    public static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    public static ulong ParseId(string? text) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id) ? id : 0;

    public static string? Get(Metadata headers, string key)
    {
        foreach (var entry in headers)
        {
            if (entry.Key == key) return entry.Value;
        }
        return null;
    }
}
