using System.Diagnostics;
using System.Text.Json;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.State;
using Google.Protobuf;

namespace Etcd.Server.Tests.Logging;

/// <summary>etcd's "apply request took too long" line and etcd_server_slow_apply_total.</summary>
public sealed class SlowApplyWarningTests : IDisposable
{
    private readonly string _log = Path.GetTempFileName();

    public void Dispose() => File.Delete(_log);

    [Fact]
    public void AnApplyLongerThanTheThresholdIsLoggedWithEtcdsFieldsAndCounted()
    {
        var before = Interlocked.Read(ref Metrics.EtcdMetrics.SlowApplies);
        var request = new InternalRaftRequest { Header = new RequestHeader { ID = 9 }, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") } };
        var response = new PutResponse { Header = new ResponseHeader { Revision = 2 } };
        var started = Stopwatch.GetTimestamp() - Stopwatch.Frequency; // a second ago
        using (var logger = ZapLogger.Create("info", [_log]))
            SlowApplyWarning.Check(logger, TimeSpan.FromMilliseconds(100), started, request, ApplyResult.Of(response));
        var line = Assert.Single(Lines());
        Assert.Equal("warn", line.GetProperty("level").GetString());
        Assert.Equal("apply request took too long", line.GetProperty("msg").GetString());
        Assert.EndsWith("s", line.GetProperty("took").GetString(), StringComparison.Ordinal);
        Assert.Equal("100ms", line.GetProperty("expected-duration").GetString());
        Assert.Equal("", line.GetProperty("prefix").GetString());
        Assert.Equal("header:<ID:9 > put:<key:\"k\" value_size:1 >", line.GetProperty("request").GetString());
        Assert.Equal($"size:{response.CalculateSize()}", line.GetProperty("response").GetString());
        Assert.False(line.TryGetProperty("error", out _));
        // At least this one (other tests' members may count theirs meanwhile).
        Assert.True(Interlocked.Read(ref Metrics.EtcdMetrics.SlowApplies) >= before + 1);
    }

    [Fact]
    public void ASlowRangeHasTheReadOnlyPrefixAndAFailedOneItsError()
    {
        var range = new RangeRequest { Key = ByteString.CopyFromUtf8("a") };
        var started = Stopwatch.GetTimestamp() - Stopwatch.Frequency;
        using (var logger = ZapLogger.Create("info", [_log]))
        {
            var response = new RangeResponse();
            response.Kvs.Add(new Etcd.Api.Mvccpb.KeyValue { Key = ByteString.CopyFromUtf8("a") });
            SlowApplyWarning.CheckRange(logger, TimeSpan.FromMilliseconds(100), started, range, response, null);
            SlowApplyWarning.CheckRange(logger, TimeSpan.FromMilliseconds(100), started, range, null, global::Etcd.Server.Api.EtcdErrors.NoSpace);
        }
        var lines = Lines();
        Assert.Equal(2, lines.Count);
        Assert.Equal("read-only range ", lines[0].GetProperty("prefix").GetString());
        Assert.Equal("key:\"a\" ", lines[0].GetProperty("request").GetString());
        Assert.StartsWith("range_response_count:1 size:", lines[0].GetProperty("response").GetString(), StringComparison.Ordinal);
        Assert.Equal("", lines[1].GetProperty("response").GetString());
        Assert.Equal(global::Etcd.Server.Api.EtcdErrors.NoSpace.Message, lines[1].GetProperty("error").GetString());
    }

    [Fact]
    public void AQuickApplyIsNeitherLoggedNorCounted()
    {
        using (var logger = ZapLogger.Create("info", [_log]))
            SlowApplyWarning.Check(logger, TimeSpan.FromHours(1), Stopwatch.GetTimestamp(), new InternalRaftRequest { Put = new PutRequest() }, ApplyResult.Of(new PutResponse()));
        Assert.Empty(Lines());
    }

    private List<JsonElement> Lines() =>
        [.. File.ReadAllLines(_log).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
}
