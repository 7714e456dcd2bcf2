using System.Buffers;
using System.IO.Pipelines;
using Etcd.Server.Hosting.Http2;

namespace Etcd.Server.Tests.Hosting;

/// <summary>
/// An HTTP/2 :authority written as a URL reaches Kestrel as host:port. The header blocks below
/// come from Go's HPACK encoder (the one etcdctl uses) for a gRPC call with
/// :authority "http://127.0.0.1:2379", then the same call again (all fields indexed).
/// </summary>
public sealed class AuthorityNormalizationTests
{
    private static readonly byte[] FirstCall = Convert.FromHexString(
        "8386449760a924882d9dcb6571afa066a925a87510ac6e48d36a3f418f9d29aee30c044eae05c0b86e09975f5f8b1d75d0620d263d4c4d656440027465864d833505b11f");
    private static readonly byte[] SecondCall = Convert.FromHexString("8386c1c0bfbe");
    // The same call's authority from a client that sent host:port.
    private static readonly byte[] PlainAuthority = Convert.FromHexString("418a089d5c0b8170dc132ebf");

    // FirstCall with the Huffman-coded URL replaced by the raw string "127.0.0.1:2379".
    private static readonly byte[] FirstCallRewritten = Convert.FromHexString(
        "8386449760a924882d9dcb6571afa066a925a87510ac6e48d36a3f" + "410e" + Convert.ToHexString("127.0.0.1:2379"u8) +
        "5f8b1d75d0620d263d4c4d656440027465864d833505b11f");

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Fact]
    public void HuffmanDecodesTheRfcExample()
    {
        // RFC 7541 C.4.1
        Assert.True(HuffmanDecoder.TryDecode(Convert.FromHexString("f1e3c2e5f23a6ba0ab90f4ff"), out var decoded));
        Assert.Equal("www.example.com"u8.ToArray(), decoded);
    }

    [Fact]
    public void HuffmanRefusesPaddingThatIsNotAllOnes()
    {
        Assert.False(HuffmanDecoder.TryDecode([0x00], out _)); // '0' (5 bits) then 000: not EOS padding
    }

    [Fact]
    public void AUrlAuthorityBecomesHostAndPortAndLaterIndexedUsesStayValid()
    {
        var rewriter = new AuthorityRewriter();
        var output = new ArrayBufferWriter<byte>();
        Assert.True(rewriter.TryRewrite(FirstCall, output));
        Assert.True(rewriter.SawAuthorityWithScheme);
        Assert.Equal(FirstCallRewritten, output.WrittenSpan.ToArray());

        // The second call refers to the table entry the first one added, which Kestrel now holds
        // as host:port; the block itself goes through untouched.
        output.ResetWrittenCount();
        Assert.True(rewriter.TryRewrite(SecondCall, output));
        Assert.Equal(SecondCall, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void AnAuthorityWithoutSchemeIsLeftAlone()
    {
        var rewriter = new AuthorityRewriter();
        var output = new ArrayBufferWriter<byte>();
        Assert.True(rewriter.TryRewrite(PlainAuthority, output));
        Assert.False(rewriter.SawAuthorityWithScheme);
        Assert.Equal(PlainAuthority, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ATruncatedBlockIsNotValid()
    {
        Assert.False(new AuthorityRewriter().TryRewrite(FirstCall.AsSpan(0, 40), new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public async Task TheConnectionIsRewrittenFrameByFrame()
    {
        var input = Concat(
            Preface,
            Frame(0x4, 0, 0, []), // SETTINGS
            Frame(0x1, 0x4, 1, FirstCall), // HEADERS, END_HEADERS
            Frame(0x0, 0x1, 1, [0, 0, 0, 0, 0]), // DATA, END_STREAM
            Frame(0x1, 0x5, 3, SecondCall));
        var expected = Concat(
            Preface,
            Frame(0x4, 0, 0, []),
            Frame(0x1, 0x4, 1, FirstCallRewritten),
            Frame(0x0, 0x1, 1, [0, 0, 0, 0, 0]),
            Frame(0x1, 0x5, 3, SecondCall));
        Assert.Equal(expected, await ThroughReader(input, chunk: input.Length));
        Assert.Equal(expected, await ThroughReader(input, chunk: 1));
        Assert.Equal(expected, await ThroughReader(input, chunk: 7));
    }

    [Fact]
    public async Task ContinuationFramesArriveAsOneHeadersFrame()
    {
        var input = Concat(
            Preface,
            Frame(0x1, 0x8 | 0x1, 1, [2, .. FirstCall.AsSpan(0, 30), 0xEE, 0xEE]), // PADDED, END_STREAM, no END_HEADERS
            Frame(0x9, 0, 1, FirstCall.AsSpan(30, 20).ToArray()),
            Frame(0x9, 0x4, 1, FirstCall.AsSpan(50).ToArray()));
        var expected = Concat(Preface, Frame(0x1, 0x4 | 0x1, 1, FirstCallRewritten));
        Assert.Equal(expected, await ThroughReader(input, chunk: input.Length));
        Assert.Equal(expected, await ThroughReader(input, chunk: 3));
    }

    [Fact]
    public async Task AConnectionWithoutSchemeGoesThroughUnchanged()
    {
        var input = Concat(
            Preface,
            Frame(0x4, 0, 0, []),
            Frame(0x1, 0x4, 1, PlainAuthority),
            Frame(0x1, 0x4, 3, FirstCall)); // later blocks are not looked at
        Assert.Equal(input, await ThroughReader(input, chunk: input.Length));
        Assert.Equal(input, await ThroughReader(input, chunk: 5));
    }

    // Writes input in chunks from one task while another reads it through the reader as Kestrel
    // would (consuming all it is given), and returns what the reader delivered.
    private static async Task<byte[]> ThroughReader(byte[] input, int chunk)
    {
        var pipe = new Pipe();
        var reader = new AuthorityNormalizingReader(pipe.Reader);
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < input.Length; offset += chunk)
            {
                await pipe.Writer.WriteAsync(input.AsMemory(offset, Math.Min(chunk, input.Length - offset)));
            }
            await pipe.Writer.CompleteAsync();
        });
        var delivered = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            foreach (var segment in result.Buffer) delivered.AddRange(segment.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        reader.Complete();
        await writing;
        await reader.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        return [.. delivered];
    }

    private static byte[] Frame(byte type, byte flags, uint stream, byte[] payload) =>
        [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags,
         (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. payload];

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
