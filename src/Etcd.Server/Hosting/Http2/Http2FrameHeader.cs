using System.Buffers;
using System.Buffers.Binary;

namespace Etcd.Server.Hosting.Http2;

/// <summary>The nine octets in front of every HTTP/2 frame (RFC 9113 §4.1).</summary>
public readonly record struct Http2FrameHeader(int Length, byte Type, byte Flags, uint StreamId)
{
    public const int Size = 9;
    public const byte HeadersType = 0x1;
    public const byte ContinuationType = 0x9;
    public const byte EndStreamFlag = 0x1;
    public const byte EndHeadersFlag = 0x4;
    public const byte PaddedFlag = 0x8;
    public const byte PriorityFlag = 0x20;

    public static Http2FrameHeader Read(ReadOnlySequence<byte> buffer)
    {
        Span<byte> octets = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(octets);
        return Read(octets);
    }

    public static Http2FrameHeader Read(ReadOnlySpan<byte> octets) => new(
        (octets[0] << 16) | (octets[1] << 8) | octets[2],
        octets[3],
        octets[4],
        BinaryPrimitives.ReadUInt32BigEndian(octets[5..]) & 0x7FFF_FFFF);

    public void Write(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(Size);
        span[0] = (byte)(Length >> 16);
        span[1] = (byte)(Length >> 8);
        span[2] = (byte)Length;
        span[3] = Type;
        span[4] = Flags;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], StreamId);
        output.Advance(Size);
    }
}
