using System.Buffers;
using System.Text;

namespace Etcd.Ctl.Output;

/// <summary>
/// A buffered byte sink for stdout or stderr. etcdctl prints keys and values as raw bytes, so
/// output goes out as bytes, never through a text encoder that could alter them.
/// </summary>
public sealed class ConsoleOutput(Stream stream) : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly BufferedStream _stream = new(stream, 16 * 1024);

    public void Write(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    public void Write(string text)
    {
        int max = Utf8.GetMaxByteCount(text.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        int count = Utf8.GetBytes(text, rented);
        _stream.Write(rented, 0, count);
        ArrayPool<byte>.Shared.Return(rented);
    }

    public void WriteLine(string text)
    {
        Write(text);
        _stream.WriteByte((byte)'\n');
    }

    public void WriteLine(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _stream.WriteByte((byte)'\n');
    }

    public void WriteLine() => _stream.WriteByte((byte)'\n');

    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();
}
