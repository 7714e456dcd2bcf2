using System.Collections.Concurrent;

namespace Etcd.Server.Http;

/// <summary>
/// etcd's health metrics: etcd_server_health_success/failures (the /health answers) and, per
/// /livez or /readyz check, etcd_server_healthcheck (1 when it last passed) and
/// etcd_server_healthchecks_total{type,name,status}.
/// </summary>
public sealed class HealthCounters
{
    private long _healthSuccess;
    private long _healthFailures;
    private readonly ConcurrentDictionary<(string Type, string Name), CheckCounts> _checks = new();

    public long HealthSuccess => Interlocked.Read(ref _healthSuccess);
    public long HealthFailures => Interlocked.Read(ref _healthFailures);

    public void Health(bool ok)
    {
        if (ok) Interlocked.Increment(ref _healthSuccess);
        else Interlocked.Increment(ref _healthFailures);
    }

    public void Check(string type, string name, bool ok)
    {
        var counts = _checks.GetOrAdd((type, name), static _ => new CheckCounts());
        if (ok) Interlocked.Increment(ref counts.Success);
        else Interlocked.Increment(ref counts.Error);
        Volatile.Write(ref counts.LastOk, ok ? 1 : 0);
    }

    /// <summary>The checks seen so far, sorted (etcd registers a series on a check's first run).</summary>
    public IEnumerable<(string Type, string Name, long Success, long Error, int LastOk)> Checks()
    {
        var keys = _checks.Keys.ToArray();
        Array.Sort(keys);
        foreach (var key in keys)
        {
            var c = _checks[key];
            yield return (key.Type, key.Name, Interlocked.Read(ref c.Success), Interlocked.Read(ref c.Error), Volatile.Read(ref c.LastOk));
        }
    }

    private sealed class CheckCounts
    {
        public long Success;
        public long Error;
        public int LastOk;
    }
}
