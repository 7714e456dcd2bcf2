namespace Etcd.Server.Tests.Leases;

/// <summary>A clock that moves only when the test says so: lease expiry without waiting.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan span) => Interlocked.Add(ref _ticks, (long)(span.TotalSeconds * TimestampFrequency));
}
