using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// The successive JSON values of a request body, as Go's json.Decoder reads them: a streaming
/// gateway call (watch, lease keep-alive) takes one request per value, whitespace between them.
/// </summary>
public sealed class JsonValueStream(PipeReader body, long maxValueBytes = long.MaxValue)
{
    /// <summary>The next value's bytes, or null when the body ends with no further value.</summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    /// <exception cref="FormatException">The body ends inside a value, or a value starts with a byte no value starts with.</exception>
    public async ValueTask<byte[]?> NextAsync(CancellationToken token)
    {
        while (true)
        {
            var read = await body.ReadAsync(token).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (TryTake(buffer, final: false, out var value, out var consumed))
            {
                body.AdvanceTo(consumed);
                return value;
            }
            if (read.IsCompleted) return TakeLast(buffer);
            // Bounded: a value that can no longer fit the gRPC receive limit is refused before
            // the rest of it is buffered (a 100 MB body would otherwise be held in memory).
            if (buffer.Length > maxValueBytes)
            {
                body.AdvanceTo(buffer.End);
                throw new GatewayBodyTooLargeException(buffer.Length, maxValueBytes);
            }
            // Nothing complete yet: keep what is buffered and wait for more.
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    // The body is complete and holds no complete object or array: the end, a lone scalar, or a
    // truncated value (Go's decoder says "unexpected EOF").
    private byte[]? TakeLast(ReadOnlySequence<byte> buffer)
    {
        try
        {
            if (IsWhitespace(buffer)) return null;
            return TryTake(buffer, final: true, out var value, out _) ? value : throw new FormatException("unexpected EOF");
        }
        catch (JsonException)
        {
            throw new FormatException("unexpected EOF");
        }
        finally
        {
            // After the buffer has been looked at: advancing releases it.
            body.AdvanceTo(buffer.End);
        }
    }

    private static bool TryTake(ReadOnlySequence<byte> buffer, bool final, out byte[]? value, out SequencePosition consumed)
    {
        value = null;
        consumed = buffer.End;
        if (FirstByte(buffer) is { } first && !IsValueStart(first))
            throw new FormatException($"invalid character '{(char)first}' looking for beginning of value");
        var reader = new Utf8JsonReader(buffer, final, default);
        if (!reader.Read()) return false;
        var start = reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) return false;
        var end = reader.BytesConsumed;
        value = buffer.Slice(start, end - start).ToArray();
        consumed = buffer.GetPosition(end);
        return true;
    }

    private static bool IsWhitespace(ReadOnlySequence<byte> buffer) => FirstByte(buffer) is null;

    private static byte? FirstByte(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return b;
        }
        return null;
    }

    // Go's decoder names the first byte that cannot begin a value; clients see its words.
    private static bool IsValueStart(byte b) => b is (byte)'{' or (byte)'[' or (byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9') or (byte)'t' or (byte)'f' or (byte)'n';
}
