using System.Diagnostics;

namespace Etcd.Server.Watch;

/// <summary>
/// Decides when the writer of a busy watch stream takes from its queue. A stream that carried
/// <see cref="HotEvents"/> events within one <see cref="Period"/> is hot: it is drained at most
/// once per period, and meanwhile each watcher's next revisions merge into the response already
/// queued for it. A client that receives many events then gets them in few, large responses,
/// which is what it spends its time on (about 5 µs each in grpc-go's client, whatever their
/// size); a stream below the rate is written as soon as anything is queued.
/// </summary>
/// <remarks>
/// The client's HTTP/2 window cannot hold the server back: grpc-go grows it to 16 MB per stream,
/// so a client that is behind buffers everything unread and the server never sees it fall
/// behind. etcd batches in this situation too, by other means: its per-stream channel fills,
/// and the watchers that overflow it are served from its backlog every 10 to 100 ms. A stream
/// below the rate (the official benchmark's watch-latency run, for one) never waits.
/// </remarks>
public struct WatchStreamPacing
{
    /// <summary>
    /// How long a hot stream waits between drains. Measured with the official benchmark's watch
    /// run (10 streams of 100 watchers, 2,000 puts): 20 ms put us at 1.03 times etcd's events/s,
    /// 40 ms at 1.24; the client's time goes to the responses, so fewer is faster.
    /// </summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);

    /// <summary>Events within one period that make a stream hot (25,000 events/s).</summary>
    public const int HotEvents = 1000;

    private static readonly long PeriodTicks = (long)(Period.TotalSeconds * Stopwatch.Frequency);

    private long _periodStart;
    private int _events;

    /// <summary>How long to wait before the next drain starting at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp); zero to drain now.</summary>
    public readonly TimeSpan PauseBefore(long now)
    {
        if (_events < HotEvents || now - _periodStart >= PeriodTicks) return TimeSpan.Zero;
        return Stopwatch.GetElapsedTime(now, _periodStart + PeriodTicks);
    }

    /// <summary>A drain starts at <paramref name="now"/>; a period ends once it has lasted <see cref="Period"/>.</summary>
    public void Draining(long now)
    {
        if (now - _periodStart < PeriodTicks) return;
        _periodStart = now;
        _events = 0;
    }

    /// <summary>A response with <paramref name="events"/> events was written.</summary>
    public void Wrote(int events) => _events += events;
}
