using System.Buffers;
using System.IO.Pipelines;

namespace Etcd.Server.Hosting.Http2;

/// <summary>
/// Sits between the socket and Kestrel's HTTP/2 connection and repairs one thing Kestrel refuses
/// but etcd accepts: an :authority with a scheme (see <see cref="AuthorityRewriter"/>). A client
/// uses one authority for a whole connection, so the first request's header block decides:
/// without a scheme the reader steps aside and Kestrel reads the socket directly (the common
/// case costs nothing per request); with one, a pump copies the connection through a second
/// pipe and rewrites every header block on the way.
/// </summary>
public sealed class AuthorityNormalizingReader(PipeReader inner) : PipeReader
{
    // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": the transport routed the connection here because of it.
    private const int PrefaceLength = 24;

    private enum Mode { Inspecting, Passthrough, Rewriting }

    private Mode _mode;
    // Offsets in the connection's byte stream: what Kestrel has consumed, and where the first
    // frame that has not been looked at yet starts.
    private long _consumed;
    private long _nextFrame = PrefaceLength;
    private ReadOnlySequence<byte> _handedOut;
    private Pipe? _rewritten;
    private Task? _pump;

    // Not async itself: once the mode is decided, a read is the inner reader's own ValueTask,
    // without a state machine allocated per read.
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => _mode switch
    {
        Mode.Passthrough => inner.ReadAsync(cancellationToken),
        Mode.Rewriting => _rewritten!.Reader.ReadAsync(cancellationToken),
        _ => InspectAsync(cancellationToken),
    };

    private async ValueTask<ReadResult> InspectAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var headersAt = FirstHeadersFrame(buffer);
            if (result.IsCanceled || headersAt < 0)
            {
                _handedOut = buffer;
                return result;
            }
            var status = HeaderBlock.TryRead(buffer.Slice(headersAt), out var block);
            if (status == HeaderBlock.Status.Complete && HasAuthorityWithScheme(block!))
            {
                inner.AdvanceTo(buffer.Start); // the pump reads it all again
                _mode = Mode.Rewriting;
                _rewritten = new Pipe(new PipeOptions(useSynchronizationContext: false));
                _pump = PumpAsync(_rewritten.Writer);
                return await _rewritten.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            // A block that is not valid is Kestrel's to refuse; one cut off by the end of the
            // connection will never be whole.
            if (status != HeaderBlock.Status.Incomplete || result.IsCompleted)
            {
                _mode = Mode.Passthrough;
                return result;
            }
            // Kestrel may have everything before the first request, not the request itself.
            if (headersAt > 0)
            {
                _handedOut = buffer.Slice(0, headersAt);
                return new ReadResult(_handedOut, isCanceled: false, isCompleted: false);
            }
            inner.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    // Offset of the first HEADERS frame in buffer, or -1 if the frames present hold none.
    private long FirstHeadersFrame(ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            var offset = _nextFrame - _consumed;
            if (buffer.Length - offset < Http2FrameHeader.Size) return -1;
            var frame = Http2FrameHeader.Read(buffer.Slice(offset));
            if (frame.Type == Http2FrameHeader.HeadersType) return offset;
            _nextFrame += Http2FrameHeader.Size + frame.Length;
        }
    }

    private static bool HasAuthorityWithScheme(HeaderBlock block)
    {
        var rewriter = new AuthorityRewriter();
        return rewriter.TryRewrite(block.Fragment.Span, new ArrayBufferWriter<byte>()) && rewriter.SawAuthorityWithScheme;
    }

    // Copies the connection from inner to output, frame by frame, rewriting header blocks.
    private async Task PumpAsync(PipeWriter output)
    {
        var rewriter = new AuthorityRewriter();
        var rewritten = new ArrayBufferWriter<byte>();
        var position = _consumed; // connection offset of inner's buffer start
        var nextFrame = _nextFrame;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await inner.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break;
                var buffer = result.Buffer;
                long offset = 0;
                while (true)
                {
                    // Bytes of frames already looked at go through as they are.
                    var owed = nextFrame - (position + offset);
                    if (owed > 0)
                    {
                        var available = Math.Min(owed, buffer.Length - offset);
                        foreach (var segment in buffer.Slice(offset, available)) output.Write(segment.Span);
                        offset += available;
                        if (available < owed) break;
                    }
                    var rest = buffer.Slice(offset);
                    if (rest.Length < Http2FrameHeader.Size) break;
                    var frame = Http2FrameHeader.Read(rest);
                    if (frame.Type != Http2FrameHeader.HeadersType)
                    {
                        nextFrame = position + offset + Http2FrameHeader.Size + frame.Length;
                        continue;
                    }
                    var status = HeaderBlock.TryRead(rest, out var block);
                    if (status == HeaderBlock.Status.Incomplete) break;
                    rewritten.ResetWrittenCount();
                    if (status == HeaderBlock.Status.Complete && rewriter.TryRewrite(block!.Fragment.Span, rewritten))
                    {
                        block.WriteFrames(rewritten.WrittenSpan, output);
                        offset += block.WireLength;
                        nextFrame = position + offset;
                    }
                    else
                    {
                        // Not valid: pass it on for Kestrel to refuse with the right error.
                        nextFrame = position + offset + (block?.WireLength ?? Http2FrameHeader.Size + frame.Length);
                    }
                }
                inner.AdvanceTo(buffer.GetPosition(offset), buffer.End);
                position += offset;
                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || result.IsCompleted) break;
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            await inner.CompleteAsync(error).ConfigureAwait(false);
            await output.CompleteAsync(error).ConfigureAwait(false);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        switch (_mode)
        {
            case Mode.Passthrough:
                inner.AdvanceTo(consumed, examined);
                break;
            case Mode.Rewriting:
                _rewritten!.Reader.AdvanceTo(consumed, examined);
                break;
            default:
                _consumed += _handedOut.Slice(_handedOut.Start, consumed).Length;
                inner.AdvanceTo(consumed, examined);
                break;
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        switch (_mode)
        {
            case Mode.Passthrough:
                return inner.TryRead(out result);
            case Mode.Rewriting:
                return _rewritten!.Reader.TryRead(out result);
            default:
                // Until the first request decides the mode, reads go through ReadAsync.
                result = default;
                return false;
        }
    }

    public override void CancelPendingRead()
    {
        if (_mode == Mode.Rewriting) _rewritten!.Reader.CancelPendingRead();
        else inner.CancelPendingRead();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_mode != Mode.Rewriting)
        {
            inner.Complete(exception);
            return;
        }
        _rewritten!.Reader.Complete(exception);
        // The pump owns inner now: wake it so that it completes inner and ends.
        inner.CancelPendingRead();
    }

    /// <summary>Ends when the pump, if one was started, has ended.</summary>
    public Task Completion => _pump ?? Task.CompletedTask;
}
