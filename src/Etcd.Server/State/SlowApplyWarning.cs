using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Logging;

namespace Etcd.Server.State;

/// <summary>
/// etcd's "apply request took too long" warning (--experimental-warning-apply-duration) and its
/// count, etcd_server_slow_apply_total: for an applied Raft request, and with the prefix
/// "read-only range " for a range served without Raft. Only a slow request costs anything.
/// </summary>
public static class SlowApplyWarning
{
    /// <summary>etcd's default for --experimental-warning-apply-duration.</summary>
    public static readonly TimeSpan DefaultThreshold = TimeSpan.FromMilliseconds(100);

    public static void Check(ZapLogger logger, TimeSpan threshold, long started, InternalRaftRequest request, Core.ApplyResult result)
    {
        var took = Stopwatch.GetElapsedTime(started);
        if (took <= threshold) return;
        var response = result.Response is { } message ? $"size:{message.CalculateSize()}" : "";
        Warn(logger, threshold, took, "", LoggableRequest.Of(request), response, result.Error);
    }

    public static void CheckRange(ZapLogger logger, TimeSpan threshold, long started, RangeRequest request, RangeResponse? response, EtcdException? error)
    {
        var took = Stopwatch.GetElapsedTime(started);
        if (took <= threshold) return;
        var text = response is null ? "" : $"range_response_count:{response.Kvs.Count} size:{response.CalculateSize()}";
        Warn(logger, threshold, took, "read-only range ", LoggableRequest.Of(request), text, error);
    }

    private static void Warn(ZapLogger logger, TimeSpan threshold, TimeSpan took, string prefix, string request, string response, EtcdException? error)
    {
        Interlocked.Increment(ref Metrics.EtcdMetrics.SlowApplies);
        if (error is null)
        {
            logger.Warn("apply request took too long", LogField.Duration("took", took), LogField.Duration("expected-duration", threshold),
                LogField.Of("prefix", prefix), LogField.Of("request", request), LogField.Of("response", response));
        }
        else
        {
            logger.Warn("apply request took too long", LogField.Duration("took", took), LogField.Duration("expected-duration", threshold),
                LogField.Of("prefix", prefix), LogField.Of("request", request), LogField.Of("response", response), LogField.Of("error", error.Message));
        }
    }
}
