namespace Etcd.Server.Tests.V2;

/// <summary>A wall clock that moves only when the test says so (v2 expiry times are wall-clock times).</summary>
internal sealed class V2Clock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan span) => _now += span;

    public long NowNanos => (_now.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
}
