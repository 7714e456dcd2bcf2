namespace Etcd.Server.State;

/// <summary>
/// Reads the request id out of an encoded InternalRaftRequest without decoding the rest: the
/// apply loop uses it to find the proposer's own copy of the request. Any malformed or
/// unexpected input yields 0 ("not found"), and the caller decodes the entry in full.
/// </summary>
public static class RequestIdReader
{
    private const uint IdTag = (1 << 3) | 0;          // uint64 ID = 1 (varint), in both messages
    private const uint HeaderTag = (100 << 3) | 2;    // RequestHeader header = 100 (length-delimited)

    public static ulong Read(ReadOnlySpan<byte> data)
    {
        ulong legacyId = 0;
        var position = 0;
        while (position < data.Length)
        {
            if (!TryVarint(data, ref position, out var tag)) return 0;
            if (tag == HeaderTag)
            {
                if (!TryVarint(data, ref position, out var length) || length > (ulong)(data.Length - position)) return 0;
                return ReadHeaderId(data.Slice(position, (int)length));
            }
            if (tag == IdTag)
            {
                if (!TryVarint(data, ref position, out legacyId)) return 0;
                continue;
            }
            if (!TrySkip(data, ref position, (uint)tag & 7)) return 0;
        }
        return legacyId;
    }

    private static ulong ReadHeaderId(ReadOnlySpan<byte> header)
    {
        var position = 0;
        while (position < header.Length)
        {
            if (!TryVarint(header, ref position, out var tag)) return 0;
            if (tag == IdTag) return TryVarint(header, ref position, out var id) ? id : 0;
            if (!TrySkip(header, ref position, (uint)tag & 7)) return 0;
        }
        return 0;
    }

    private static bool TrySkip(ReadOnlySpan<byte> data, ref int position, uint wireType)
    {
        switch (wireType)
        {
            case 0:
                return TryVarint(data, ref position, out _);
            case 1:
                position += 8;
                return position <= data.Length;
            case 2:
                if (!TryVarint(data, ref position, out var length) || length > (ulong)(data.Length - position)) return false;
                position += (int)length;
                return true;
            case 5:
                position += 4;
                return position <= data.Length;
            default:
                return false;
        }
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
