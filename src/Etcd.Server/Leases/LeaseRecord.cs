using Google.Protobuf;

namespace Etcd.Server.Leases;

/// <summary>
/// A lease as stored in the backend's lease bucket: the bytes of etcd's leasepb.Lease message
/// (ID = 1, TTL = 2, RemainingTTL = 3, all int64), so a data dir stays readable by etcd's tools.
/// </summary>
public readonly record struct LeaseRecord(long Id, long Ttl, long RemainingTtl)
{
    /// <summary>Three tags and three varints of at most 10 bytes each.</summary>
    public const int MaxSize = 3 * (1 + 10);

    /// <summary>Writes the record into <paramref name="destination"/> (at least <see cref="MaxSize"/> bytes); returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        int at = 0;
        at = WriteField(destination, at, 1, Id);
        at = WriteField(destination, at, 2, Ttl);
        at = WriteField(destination, at, 3, RemainingTtl);
        return at;
    }

    public static LeaseRecord Read(ReadOnlySpan<byte> bytes)
    {
        long id = 0, ttl = 0, remaining = 0;
        var input = new CodedInputStream(bytes.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag >> 3)
            {
                case 1: id = input.ReadInt64(); break;
                case 2: ttl = input.ReadInt64(); break;
                case 3: remaining = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new LeaseRecord(id, ttl, remaining);
    }

    // proto3 leaves fields at their default value out.
    private static int WriteField(Span<byte> destination, int at, int field, long value)
    {
        if (value == 0) return at;
        destination[at++] = (byte)(field << 3);
        var bits = (ulong)value;
        while (bits >= 0x80)
        {
            destination[at++] = (byte)(bits | 0x80);
            bits >>= 7;
        }
        destination[at++] = (byte)bits;
        return at;
    }
}
