using Etcd.Api.Text;
using Etcd.Server.Configuration;

namespace Etcd.Server.Tests.Configuration;

public sealed class FlagSetTests
{
    private static FlagSet Parse(params string[] args)
    {
        var flags = new FlagSet(EtcdFlags.All);
        flags.Parse(args);
        return flags;
    }

    [Fact]
    public void DefaultsAreEtcds()
    {
        var config = EtcdConfig.From(Parse());
        Assert.Equal("default", config.Name);
        Assert.Equal("default.etcd", config.DataDir);
        Assert.Equal("http://localhost:2379/", config.ListenClientUrls[0].ToString());
        Assert.Equal("http://localhost:2380/", config.ListenPeerUrls[0].ToString());
        Assert.Equal(100000UL, config.SnapshotCount);
        Assert.Equal(1572864UL, config.MaxRequestBytes);
        Assert.Equal(128UL, config.MaxTxnOps);
        Assert.Equal(uint.MaxValue, config.MaxConcurrentStreams);
        Assert.Equal(10, config.ElectionTicks);
        Assert.Equal(2L * 1024 * 1024 * 1024, config.EffectiveQuotaBytes);
    }

    [Fact]
    public void AcceptsGoFlagSyntaxes()
    {
        var flags = Parse("-name", "a", "--snapshot-count=5", "--enable-v2", "--pre-vote=false", "--data-dir", "-weird-dir");
        Assert.Equal("a", flags.GetString("name"));
        Assert.Equal(5UL, flags.GetUint("snapshot-count"));
        Assert.True(flags.GetBool("enable-v2"));
        Assert.False(flags.GetBool("pre-vote"));
        Assert.Equal("-weird-dir", flags.GetString("data-dir"));
        Assert.Equal("a.etcd", EtcdConfig.From(Parse("--name", "a")).DataDir);
    }

    [Fact]
    public void ParsingStopsAtTheFirstArgument()
    {
        var flags = Parse("--name", "a", "stray", "--snapshot-count", "5");
        Assert.Equal(["stray", "--snapshot-count", "5"], flags.Positional);
        Assert.Equal(100000UL, flags.GetUint("snapshot-count"));
    }

    [Theory]
    [InlineData("flag provided but not defined: -nope", "--nope")]
    [InlineData("flag needs an argument: -name", "--name")]
    [InlineData("invalid value \"x\" for flag -max-txn-ops: parse error", "--max-txn-ops", "x")]
    [InlineData("invalid boolean value \"2\" for -enable-v2: parse error", "--enable-v2=2")]
    [InlineData("invalid value \"ftp://a:1\" for flag -advertise-client-urls: URL scheme must be http, https, unix, or unixs: ftp://a:1", "--advertise-client-urls", "ftp://a:1")]
    [InlineData("bad flag syntax: ---x", "---x")]
    public void RefusesBadFlagsWithGoFlagTexts(string message, params string[] args)
    {
        var error = Assert.Throws<FlagError>(() => Parse(args));
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.ExitCode);
        Assert.True(error.PrintUsage);
    }

    [Fact]
    public void EnvironmentFillsWhatTheCommandLineLeaves()
    {
        var flags = Parse("--name", "a");
        flags.ApplyEnvironment(new Dictionary<string, string> { ["ETCD_SNAPSHOT_COUNT"] = "7", ["ETCD_TYPO"] = "1" });
        Assert.Equal(7UL, flags.GetUint("snapshot-count"));
        Assert.True(flags.IsSet("snapshot-count"));
        Assert.Contains("unrecognized environment variable ETCD_TYPO=1", flags.EnvironmentNotes);
    }

    [Fact]
    public void EnvironmentConflictingWithTheCommandLineIsRefused()
    {
        var flags = Parse("--name", "a");
        var error = Assert.Throws<FlagError>(() => flags.ApplyEnvironment(new Dictionary<string, string> { ["ETCD_NAME"] = "b" }));
        Assert.Equal(1, error.ExitCode);
        Assert.Contains("ETCD_NAME", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]", "--election-timeout", "400")]
    [InlineData("--election-timeout[60000ms] is too long, and should be set less than 50000ms", "--election-timeout", "60000")]
    [InlineData("--advertise-client-urls is required when --listen-client-urls is set explicitly", "--listen-client-urls", "http://127.0.0.1:1")]
    [InlineData("expected IP in URL for binding (http://example.com:2379)", "--listen-client-urls", "http://example.com:2379", "--advertise-client-urls", "http://example.com:2379")]
    public void ConfigChecksUseEtcdsMessages(string message, params string[] args)
    {
        var error = Assert.Throws<FlagError>(() => EtcdConfig.From(Parse(args)));
        Assert.Equal(message, error.Message);
        Assert.Equal(1, error.ExitCode);
    }

    [Theory]
    [InlineData("5s", 5000)]
    [InlineData("100ms", 100)]
    [InlineData("2h", 7200000)]
    [InlineData("1m30s", 90000)]
    [InlineData("1.5s", 1500)]
    public void ParsesGoDurations(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("5x")]
    [InlineData("")]
    public void RefusesMalformedDurations(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
