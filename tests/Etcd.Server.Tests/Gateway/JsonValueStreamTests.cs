using System.IO.Pipelines;
using System.Text;
using Etcd.Server.JsonGateway;

namespace Etcd.Server.Tests.Gateway;

/// <summary>A streaming gateway body is read value by value, as Go's json.Decoder reads it.</summary>
public sealed class JsonValueStreamTests
{
    [Fact]
    public async Task SplitsSuccessiveValuesArrivingInPieces()
    {
        var pipe = new Pipe();
        var stream = new JsonValueStream(pipe.Reader);
        await pipe.Writer.WriteAsync("  {\"a\":{\"b\":\"}\"}}\n{\"c\""u8.ToArray());
        Assert.Equal("{\"a\":{\"b\":\"}\"}}", Text(await stream.NextAsync(CancellationToken.None)));

        // The second value is incomplete: the read waits for the rest.
        var second = stream.NextAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        await pipe.Writer.WriteAsync(":1} "u8.ToArray());
        Assert.Equal("{\"c\":1}", Text(await second));

        await pipe.Writer.CompleteAsync();
        Assert.Null(await stream.NextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AValueLargerThanTheLimitIsRefusedBeforeItIsAllBuffered()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var stream = new JsonValueStream(pipe.Reader, maxValueBytes: 64 * 1024);
        // A body that would be 100 MB: the reader gives up once it holds more than the limit.
        var next = stream.NextAsync(CancellationToken.None).AsTask();
        await pipe.Writer.WriteAsync("{\"key\":\""u8.ToArray());
        var chunk = Encoding.ASCII.GetBytes(new string('A', 16 * 1024));
        var written = 0L;
        while (!next.IsCompleted && written < 100L * 1024 * 1024)
        {
            await pipe.Writer.WriteAsync(chunk);
            written += chunk.Length;
            await Task.Yield();
        }
        var e = await Assert.ThrowsAsync<GatewayBodyTooLargeException>(() => next);
        Assert.StartsWith("grpc: received message larger than max (", e.Message, StringComparison.Ordinal);
        Assert.True(written < 1024 * 1024, $"read {written} bytes before refusing");

        // A value within the limit is read whole.
        var small = new JsonValueStream(PipeReader.Create(new MemoryStream(Encoding.ASCII.GetBytes("{\"key\":\"" + new string('A', 60 * 1024) + "\"}"))), 64 * 1024);
        Assert.NotNull(await small.NextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AnEmptyBodyHasNoValue()
    {
        Assert.Null(await new JsonValueStream(PipeReader.Create(new MemoryStream())).NextAsync(CancellationToken.None));
        Assert.Null(await new JsonValueStream(PipeReader.Create(new MemoryStream(" \n"u8.ToArray()))).NextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ABodyEndingInsideAValueIsAnUnexpectedEof()
    {
        var stream = new JsonValueStream(PipeReader.Create(new MemoryStream("{\"key\":"u8.ToArray())));
        var error = await Assert.ThrowsAsync<FormatException>(() => stream.NextAsync(CancellationToken.None).AsTask());
        Assert.Equal("unexpected EOF", error.Message);
    }

    [Fact]
    public async Task ALoneScalarIsAValue()
    {
        var stream = new JsonValueStream(PipeReader.Create(new MemoryStream("12"u8.ToArray())));
        Assert.Equal("12", Text(await stream.NextAsync(CancellationToken.None)));
    }

    private static string Text(byte[]? value) => Encoding.UTF8.GetString(value ?? throw new Xunit.Sdk.XunitException("no value"));
}
