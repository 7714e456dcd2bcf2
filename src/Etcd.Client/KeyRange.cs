using Google.Protobuf;

namespace Etcd.Client;

/// <summary>The range_end conventions of etcd's range requests.</summary>
public static class KeyRange
{
    /// <summary>range_end "\0": with key "\0" all keys, otherwise every key from key on.</summary>
    public static readonly ByteString FromKeyEnd = ByteString.CopyFrom(0);

    /// <summary>
    /// The smallest key greater than every key that starts with prefix: the prefix with its last
    /// byte below 0xff incremented and the rest cut off; "\0" (no upper bound) if all bytes are 0xff.
    /// </summary>
    public static ByteString PrefixEnd(ByteString prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ReadOnlySpan<byte> key = prefix.Span;
        for (int i = key.Length - 1; i >= 0; i--)
        {
            if (key[i] < 0xff)
            {
                byte[] end = key[..(i + 1)].ToArray();
                end[i]++;
                return ByteString.CopyFrom(end);
            }
        }

        return FromKeyEnd;
    }
}
