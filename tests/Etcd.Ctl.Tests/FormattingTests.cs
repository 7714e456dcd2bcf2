using System.Text;
using Etcd.Api.Text;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Ctl.Text;

namespace Etcd.Ctl.Tests;

/// <summary>The Go renderings etcdctl's output depends on, checked against values Go produces.</summary>
public sealed class FormattingTests
{
    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("tab\tnl\n", "\"tab\\tnl\\n\"")]
    [InlineData("\u0001\u007f", "\"\\x01\\x7f\"")]
    [InlineData("é€", "\"é€\"")]
    [InlineData("\u00a0", "\"\\u00a0\"")]
    public void QuoteMatchesGoStrconvQuote(string input, string expected)
        => Assert.Equal(expected, GoText.QuoteString(input));

    [Fact]
    public void QuoteEscapesInvalidUtf8Bytes()
        => Assert.Equal("\"a\\xffb\"", GoText.Quote([(byte)'a', 0xff, (byte)'b']));

    [Theory]
    [InlineData(0UL, "0 B")]
    [InlineData(9UL, "9 B")]
    [InlineData(20480UL, "20 kB")]
    [InlineData(1_234_567UL, "1.2 MB")]
    [InlineData(2_500_000UL, "2.5 MB")]
    public void BytesMatchGoHumanize(ulong bytes, string expected) => Assert.Equal(expected, HumanBytes.Format(bytes));

    [Theory]
    [InlineData("2s", 2_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5h", 5_400_000)]
    public void DurationsParseLikeGo(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out TimeSpan value, out _));
        Assert.Equal(milliseconds, (long)value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("x", "time: invalid duration \"x\"")]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("5y", "time: unknown unit \"y\" in duration \"5y\"")]
    public void BadDurationsReportGoErrors(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out string message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData(2_000, "2s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_723_000, "1h2m3s")]
    [InlineData(1.5, "1.5ms")]
    [InlineData(0, "0s")]
    public void DurationsFormatLikeGo(double milliseconds, string expected)
        => Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void JsonEscapesLikeGoEncodingJson()
    {
        var w = new GoJsonWriter();
        w.BeginObject().String("s", "<a&b>\"\u0001\n").Int("zero", 0, omitEmpty: true).UInt("u", ulong.MaxValue).Bytes("b", [1, 2, 3]).EndObject();
        Assert.Equal("{\"s\":\"\\u003ca\\u0026b\\u003e\\\"\\u0001\\n\",\"u\":18446744073709551615,\"b\":\"AQID\"}", w.ToString());
    }

    [Fact]
    public void TableMatchesTablewriterLayout()
    {
        var table = new TextTable(["endpoint", "is leader"]);
        table.Append(["127.0.0.1:2379", "true"]);
        using var buffer = new MemoryStream();
        var output = new ConsoleOutput(buffer);
        table.Render(output);
        output.Flush();
        string expected =
            "+----------------+-----------+\n" +
            "|    ENDPOINT    | IS LEADER |\n" +
            "+----------------+-----------+\n" +
            "| 127.0.0.1:2379 |      true |\n" +
            "+----------------+-----------+\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public void LongCellsWrapAtWords()
        => Assert.Equal(["context deadline exceeded,", "retrying the call later"], WordWrap.Wrap("context deadline exceeded, retrying the call later", 30));

    [Fact]
    public void TabWriterPadsColumnsWithTabs()
        => Assert.Equal("\tab\t\tx\n\tabcdefghij\ty\n", GoTabWriter.Format("\tab\tx\n\tabcdefghij\ty\n"));

    [Theory]
    [InlineData(new[] { "--limit", "5", "k" }, "5", "k")]
    [InlineData(new[] { "k", "--limit=7" }, "7", "k")]
    [InlineData(new[] { "--", "--limit" }, "0", "--limit")]
    public void FlagsParseLikePflag(string[] args, string limit, string firstArg)
    {
        var flags = new FlagValues([FlagSpec.Int64("limit", 0, "")]);
        ParseResult result = ArgumentParser.Parse(args, flags);
        Assert.Null(result.Error);
        Assert.Equal(limit, flags.Raw("limit"));
        Assert.Equal(firstArg, result.Args[0]);
    }

    [Theory]
    [InlineData(new[] { "--nope" }, "unknown flag: --nope")]
    [InlineData(new[] { "-x" }, "unknown shorthand flag: 'x' in -x")]
    [InlineData(new[] { "--limit" }, "flag needs an argument: --limit")]
    [InlineData(new[] { "--limit", "abc" }, "invalid argument \"abc\" for \"--limit\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax")]
    public void FlagErrorsMatchPflag(string[] args, string error)
    {
        var flags = new FlagValues([FlagSpec.Int64("limit", 0, "")]);
        Assert.Equal(error, ArgumentParser.Parse(args, flags).Error);
    }
}

/// <summary>Commands that need no server.</summary>
public sealed class OfflineCommandTests
{
    [Fact]
    public async Task VersionPrintsEtcdctl35Lines()
    {
        CtlResult result = await OurCtl.RunAsync("127.0.0.1:1", ["version"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("etcdctl version: 3.5.17\nAPI version: 3.5\n", result.StdoutText);
    }

    [Fact]
    public async Task AnUnknownApiVersionIsRefused()
    {
        CtlResult result = await OurCtl.RunAsync("127.0.0.1:1", ["get", "a"], extraEnvironment: new Dictionary<string, string> { ["ETCDCTL_API"] = "4" });
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("unsupported API version 4\n", result.Stderr);
    }

    [Fact]
    public async Task HelpListsCommandsAndGlobalFlags()
    {
        CtlResult result = await OurCtl.RunAsync("127.0.0.1:1", ["--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\tget\t\t\tGets the key or a range of keys\n", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains("  -w, --write-out=\"simple\"", result.StdoutText, StringComparison.Ordinal);
    }
}
