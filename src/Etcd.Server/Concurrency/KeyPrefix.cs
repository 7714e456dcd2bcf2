using Google.Protobuf;

namespace Etcd.Server.Concurrency;

/// <summary>etcd's prefix ranges: the end of the range of keys starting with a prefix.</summary>
public static class KeyPrefix
{
    /// <summary>The prefix with its last byte below 0xff incremented and the rest cut off; "\0" (every key) when all bytes are 0xff.</summary>
    public static ByteString End(ByteString prefix)
    {
        var end = prefix.ToByteArray();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return UnsafeByteOperations.UnsafeWrap(end.AsMemory(0, i + 1));
            }
        }
        return ByteString.CopyFrom(0);
    }

    /// <summary>The key a session's lease holds under a lock or election name: "name/" and the lease id in hex.</summary>
    public static ByteString LeaseKey(ByteString prefix, long lease) =>
        ByteString.CopyFrom([.. prefix.Span, .. System.Text.Encoding.ASCII.GetBytes(lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture))]);

    /// <summary>The name followed by "/": the prefix of its keys.</summary>
    public static ByteString Of(ByteString name) => ByteString.CopyFrom([.. name.Span, (byte)'/']);
}
