using System.Buffers;

namespace Etcd.Server.Hosting.Http2;

/// <summary>
/// Rewrites an HTTP/2 request header block so that an :authority written as a URL
/// ("http://127.0.0.1:2379") becomes the host and port alone. etcd's own clients send the URL
/// form when dialing an endpoint verbatim (etcdctl endpoint status, hashkv, --cluster); Go's
/// server accepts it, Kestrel resets the stream. One instance follows one connection's HPACK
/// state as the client's encoder sees it (RFC 7541), because later blocks refer to earlier
/// fields by dynamic-table index.
/// </summary>
public sealed class AuthorityRewriter
{
    private const int StaticTableLength = 61;
    private const int AuthorityStaticIndex = 1;
    private static ReadOnlySpan<byte> AuthorityName => ":authority"u8;

    // Name lengths of the 61 static-table entries (RFC 7541 Appendix A), for size accounting.
    private static ReadOnlySpan<byte> StaticNameLengths =>
    [
        10, 7, 7, 5, 5, 7, 7, 7, 7, 7, 7, 7, 7, 7, 14, 15, 15, 13, 6, 27, 3, 5, 13, 13, 19, 16, 16, 14, 16, 13, 12,
        6, 4, 4, 6, 7, 4, 4, 8, 17, 13, 8, 19, 13, 4, 8, 12, 18, 19, 5, 7, 7, 11, 6, 10, 25, 17, 10, 4, 3, 16,
    ];

    // Newest first, as HPACK indexes it. Sizes count the value the client sent, not the one
    // Kestrel receives: the client evicts by its own accounting, and since every rewritten value
    // is shorter, Kestrel's table still holds every entry the client can refer to.
    private readonly List<(bool IsAuthority, int NameLength, int Size)> _dynamicTable = [];
    private int _dynamicTableSize;
    private int _maxDynamicTableSize = 4096; // SETTINGS_HEADER_TABLE_SIZE that Kestrel announces

    /// <summary>True once a block carried an :authority with a scheme.</summary>
    public bool SawAuthorityWithScheme { get; private set; }

    /// <summary>
    /// Copies <paramref name="block"/> to <paramref name="output"/>, with every literal
    /// :authority URL reduced to its host and port. False if the block is not valid HPACK
    /// (nothing is written then; Kestrel will reject the original).
    /// </summary>
    public bool TryRewrite(ReadOnlySpan<byte> block, IBufferWriter<byte> output)
    {
        var position = 0;
        var copiedUpTo = 0;
        while (position < block.Length)
        {
            var first = block[position];
            if ((first & 0x80) != 0)
            {
                if (!TryReadInteger(block, ref position, 7, out _)) return false;
                continue;
            }
            if ((first & 0xE0) == 0x20)
            {
                if (!TryReadInteger(block, ref position, 5, out var size)) return false;
                _maxDynamicTableSize = size;
                Evict();
                continue;
            }
            var indexed = (first & 0xC0) == 0x40;
            if (!TryReadInteger(block, ref position, indexed ? 6 : 4, out var nameIndex)) return false;
            bool isAuthority;
            int nameLength;
            if (nameIndex == 0)
            {
                if (!TryReadString(block, ref position, out var name, out var nameHuffman)) return false;
                var plainName = name.ToArray();
                if (nameHuffman && !HuffmanDecoder.TryDecode(name, out plainName)) return false;
                isAuthority = plainName.AsSpan().SequenceEqual(AuthorityName);
                nameLength = plainName.Length;
            }
            else if (!TryNameAt(nameIndex, out isAuthority, out nameLength))
            {
                return false;
            }
            var valueStart = position;
            if (!TryReadString(block, ref position, out var value, out var valueHuffman)) return false;
            byte[]? plainValue = null;
            if (valueHuffman)
            {
                if (!HuffmanDecoder.TryDecode(value, out plainValue)) return false;
            }
            var valueLength = valueHuffman ? plainValue!.Length : value.Length;
            if (indexed) Add(isAuthority, nameLength, valueLength);
            if (!isAuthority) continue;

            var text = plainValue ?? value.ToArray();
            var hostStart = text.AsSpan().IndexOf("://"u8);
            if (hostStart < 0) continue;
            SawAuthorityWithScheme = true;
            var host = text.AsSpan(hostStart + 3);
            var pathStart = host.IndexOf((byte)'/');
            if (pathStart >= 0) host = host[..pathStart];

            output.Write(block[copiedUpTo..valueStart]);
            WriteInteger(output, 0x00, 7, host.Length); // not Huffman-coded
            output.Write(host);
            copiedUpTo = position;
        }
        output.Write(block[copiedUpTo..]);
        return true;
    }

    private bool TryNameAt(int index, out bool isAuthority, out int nameLength)
    {
        if (index <= StaticTableLength)
        {
            isAuthority = index == AuthorityStaticIndex;
            nameLength = StaticNameLengths[index - 1];
            return true;
        }
        var dynamicIndex = index - StaticTableLength - 1;
        if (dynamicIndex >= _dynamicTable.Count)
        {
            isAuthority = false;
            nameLength = 0;
            return false;
        }
        (isAuthority, nameLength, _) = _dynamicTable[dynamicIndex];
        return true;
    }

    private void Add(bool isAuthority, int nameLength, int valueLength)
    {
        // RFC 7541 §4.1: an entry's size is its name and value lengths plus 32.
        var size = 32 + nameLength + valueLength;
        _dynamicTable.Insert(0, (isAuthority, nameLength, size));
        _dynamicTableSize += size;
        Evict();
    }

    private void Evict()
    {
        while (_dynamicTableSize > _maxDynamicTableSize && _dynamicTable.Count > 0)
        {
            _dynamicTableSize -= _dynamicTable[^1].Size;
            _dynamicTable.RemoveAt(_dynamicTable.Count - 1);
        }
    }

    private static bool TryReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits, out int value)
    {
        var mask = (1 << prefixBits) - 1;
        value = block[position++] & mask;
        if (value < mask) return true;
        var shift = 0;
        while (true)
        {
            if (position >= block.Length || shift > 21) return false;
            var octet = block[position++];
            value += (octet & 0x7F) << shift;
            shift += 7;
            if ((octet & 0x80) == 0) return true;
        }
    }

    private static bool TryReadString(ReadOnlySpan<byte> block, ref int position, out ReadOnlySpan<byte> value, out bool huffman)
    {
        value = default;
        huffman = false;
        if (position >= block.Length) return false;
        huffman = (block[position] & 0x80) != 0;
        if (!TryReadInteger(block, ref position, 7, out var length) || length > block.Length - position) return false;
        value = block.Slice(position, length);
        position += length;
        return true;
    }

    private static void WriteInteger(IBufferWriter<byte> output, byte flags, int prefixBits, int value)
    {
        var span = output.GetSpan(6);
        var mask = (1 << prefixBits) - 1;
        if (value < mask)
        {
            span[0] = (byte)(flags | value);
            output.Advance(1);
            return;
        }
        span[0] = (byte)(flags | mask);
        value -= mask;
        var written = 1;
        while (value >= 0x80)
        {
            span[written++] = (byte)((value & 0x7F) | 0x80);
            value >>= 7;
        }
        span[written++] = (byte)value;
        output.Advance(written);
    }
}
