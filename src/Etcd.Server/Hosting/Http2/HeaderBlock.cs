using System.Buffers;

namespace Etcd.Server.Hosting.Http2;

/// <summary>
/// One request's header block as it travels: a HEADERS frame and the CONTINUATION frames up to
/// END_HEADERS, joined into the HPACK bytes they carry (RFC 9113 §4.3).
/// </summary>
public sealed class HeaderBlock
{
    public enum Status { Incomplete, Complete, Malformed }

    // Kestrel's SETTINGS_MAX_FRAME_SIZE, the largest frame a client may send it.
    private const int MaxFrameSize = 16 * 1024;
    // No client needs a megabyte of headers; past it the block is left for Kestrel to refuse.
    private const int MaxWireLength = 1024 * 1024;

    private HeaderBlock(Http2FrameHeader first, byte[]? priority, ReadOnlyMemory<byte> fragment, long wireLength)
    {
        First = first;
        Priority = priority;
        Fragment = fragment;
        WireLength = wireLength;
    }

    public Http2FrameHeader First { get; }
    public byte[]? Priority { get; }
    /// <summary>The HPACK bytes, without padding and priority fields.</summary>
    public ReadOnlyMemory<byte> Fragment { get; }
    /// <summary>How many bytes of the connection the frames occupy.</summary>
    public long WireLength { get; }

    /// <summary>Reads the block that starts <paramref name="buffer"/> with a HEADERS frame.</summary>
    public static Status TryRead(ReadOnlySequence<byte> buffer, out HeaderBlock? block)
    {
        block = null;
        var fragment = new ArrayBufferWriter<byte>();
        Http2FrameHeader first = default;
        byte[]? priority = null;
        long offset = 0;
        while (true)
        {
            if (buffer.Length - offset < Http2FrameHeader.Size) return Status.Incomplete;
            var frame = Http2FrameHeader.Read(buffer.Slice(offset));
            if (buffer.Length - offset - Http2FrameHeader.Size < frame.Length) return Status.Incomplete;
            var payload = buffer.Slice(offset + Http2FrameHeader.Size, frame.Length);
            if (offset == 0)
            {
                first = frame;
                var start = 0;
                var padding = 0;
                if ((frame.Flags & Http2FrameHeader.PaddedFlag) != 0)
                {
                    if (frame.Length < 1) return Status.Malformed;
                    padding = payload.FirstSpan[0];
                    start = 1;
                }
                if ((frame.Flags & Http2FrameHeader.PriorityFlag) != 0)
                {
                    if (frame.Length - start < 5) return Status.Malformed;
                    priority = payload.Slice(start, 5).ToArray();
                    start += 5;
                }
                if (frame.Length - start < padding) return Status.Malformed;
                payload = payload.Slice(start, frame.Length - start - padding);
            }
            else if (frame.Type != Http2FrameHeader.ContinuationType || frame.StreamId != first.StreamId)
            {
                return Status.Malformed;
            }
            foreach (var segment in payload) fragment.Write(segment.Span);
            offset += Http2FrameHeader.Size + frame.Length;
            if (offset > MaxWireLength) return Status.Malformed;
            if ((frame.Flags & Http2FrameHeader.EndHeadersFlag) != 0) break;
        }
        block = new HeaderBlock(first, priority, fragment.WrittenMemory, offset);
        return Status.Complete;
    }

    /// <summary>Writes <paramref name="fragment"/> as this block's frames (without padding).</summary>
    public void WriteFrames(ReadOnlySpan<byte> fragment, IBufferWriter<byte> output)
    {
        var prioritySize = Priority is null ? 0 : Priority.Length;
        var chunk = Math.Min(fragment.Length, MaxFrameSize - prioritySize);
        var flags = (byte)(First.Flags & (Http2FrameHeader.EndStreamFlag | Http2FrameHeader.PriorityFlag));
        if (chunk == fragment.Length) flags |= Http2FrameHeader.EndHeadersFlag;
        new Http2FrameHeader(prioritySize + chunk, Http2FrameHeader.HeadersType, flags, First.StreamId).Write(output);
        if (Priority is not null) output.Write(Priority);
        output.Write(fragment[..chunk]);
        fragment = fragment[chunk..];
        while (!fragment.IsEmpty)
        {
            chunk = Math.Min(fragment.Length, MaxFrameSize);
            var last = chunk == fragment.Length ? Http2FrameHeader.EndHeadersFlag : (byte)0;
            new Http2FrameHeader(chunk, Http2FrameHeader.ContinuationType, last, First.StreamId).Write(output);
            output.Write(fragment[..chunk]);
            fragment = fragment[chunk..];
        }
    }
}
