using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Etcd.Server.Membership;

/// <summary>
/// Member and cluster ids derived as etcd derives them, so that every member of a new cluster
/// computes the same ids from the same flags without talking first, and ours equal real etcd's:
/// a member id is the first 8 bytes (big-endian) of SHA-1 over its sorted peer URLs and the
/// cluster token; a cluster id the same over the sorted member ids.
/// </summary>
public static class MemberIdentity
{
    public static ulong MemberId(IEnumerable<string> peerUrls, string clusterToken, DateTimeOffset? addedAt = null)
    {
        var sorted = peerUrls.ToList();
        sorted.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var url in sorted) text.Append(url);
        text.Append(clusterToken);
        // A member added to a running cluster also hashes the time, so re-adding gives a new id.
        if (addedAt is { } time) text.Append(time.ToUnixTimeSeconds());
        return FirstEightBytes(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static ulong ClusterId(IEnumerable<ulong> memberIds)
    {
        var ids = memberIds.ToList();
        ids.Sort();
        var bytes = new byte[8 * ids.Count];
        for (var i = 0; i < ids.Count; i++) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8 * i), ids[i]);
        return FirstEightBytes(SHA1.HashData(bytes));
    }

    private static ulong FirstEightBytes(byte[] hash) => BinaryPrimitives.ReadUInt64BigEndian(hash);
}
