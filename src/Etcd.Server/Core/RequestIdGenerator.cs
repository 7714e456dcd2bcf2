namespace Etcd.Server.Core;

/// <summary>
/// Unique request ids as etcd makes them: the member id's low 16 bits, then 40 bits of start-up
/// time in milliseconds and an 8-bit counter that carries into the time bits. Ids from different
/// members or restarts do not collide, without any coordination.
/// </summary>
public sealed class RequestIdGenerator(ulong memberId, DateTimeOffset now)
{
    private const int SuffixBits = 48;
    private const ulong SuffixMask = (1UL << SuffixBits) - 1;

    private readonly ulong _prefix = memberId << SuffixBits;
    private long _suffix = (long)(((ulong)now.ToUnixTimeMilliseconds() << 8) & SuffixMask);

    public ulong Next() => _prefix | ((ulong)Interlocked.Increment(ref _suffix) & SuffixMask);
}
