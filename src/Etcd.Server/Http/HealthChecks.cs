using System.Text;

namespace Etcd.Server.Http;

/// <summary>
/// etcd's health endpoints: /health (JSON {"health","reason"}; ?exclude=ALARM skips an alarm,
/// ?serializable=true checks this member alone), and 3.5.12's /livez and /readyz (plain text
/// "ok", "[+]name ok" / "[-]name failed: error" lines, ?exclude=CHECK, ?verbose, and one sub path
/// per check). Bodies and status codes are etcd's, which kubeadm's probes and scripts read.
/// </summary>
public static class HealthChecks
{
    /// <summary>The checks of /livez, in the order they run (etcd's order is a Go map's; ours is fixed).</summary>
    public static readonly string[] Livez = ["serializable_read"];

    /// <summary>The checks of /readyz.</summary>
    public static readonly string[] Readyz = ["data_corruption", "serializable_read", "linearizable_read", "non_learner"];

    public static async Task<HealthAnswer> HealthAsync(IMemberHealth member, IReadOnlyCollection<string> excludedAlarms, bool serializable,
        TimeSpan readTimeout)
    {
        foreach (var alarm in member.ActiveAlarms)
        {
            if (excludedAlarms.Contains(alarm)) continue;
            var reason = alarm is "NOSPACE" or "CORRUPT" ? "ALARM " + alarm : "ALARM UNKNOWN";
            return Unhealthy(reason);
        }
        if (!serializable && !member.HasLeader) return Unhealthy("RAFT NO LEADER");
        var error = await ReadErrorAsync(member, serializable, readTimeout).ConfigureAwait(false);
        if (error is not null) return Unhealthy("RANGE ERROR:" + error);
        return new HealthAnswer(200, "{\"health\":\"true\",\"reason\":\"\"}");
    }

    /// <summary>Runs the named checks of /livez or /readyz (those not excluded) and answers as etcd does.</summary>
    public static async Task<HealthAnswer> RunAsync(IMemberHealth member, IReadOnlyList<string> checks, IReadOnlyCollection<string> excluded,
        bool verbose, TimeSpan readTimeout, Action<string, bool>? record = null)
    {
        var report = new StringBuilder();
        var failed = false;
        foreach (var check in checks)
        {
            if (excluded.Contains(check)) continue;
            var error = await CheckAsync(member, check, readTimeout).ConfigureAwait(false);
            record?.Invoke(check, error is null);
            if (error is null)
            {
                report.Append("[+]").Append(check).Append(" ok\n");
            }
            else
            {
                report.Append("[-]").Append(check).Append(" failed: ").Append(error).Append('\n');
                failed = true;
            }
        }
        // A failure always names the checks (Go's http.Error adds a newline); success says "ok",
        // after the check lines only when ?verbose is given.
        if (failed) return new HealthAnswer(503, report.Append('\n').ToString());
        return new HealthAnswer(200, verbose ? report.Append("ok\n").ToString() : "ok\n");
    }

    private static async Task<string?> CheckAsync(IMemberHealth member, string check, TimeSpan readTimeout) => check switch
    {
        "data_corruption" => member.ActiveAlarms.Contains("CORRUPT") ? "alarm activated: CORRUPT" : null,
        "serializable_read" => await ReadErrorAsync(member, serializable: true, readTimeout).ConfigureAwait(false),
        "linearizable_read" => await ReadErrorAsync(member, serializable: false, readTimeout).ConfigureAwait(false),
        "non_learner" => member.IsLearner ? "not supported for learner" : null,
        _ => throw new ArgumentException($"no health check named {check}", nameof(check)),
    };

    private static async Task<string?> ReadErrorAsync(IMemberHealth member, bool serializable, TimeSpan readTimeout)
    {
        using var deadline = new CancellationTokenSource(readTimeout);
        try
        {
            await member.ReadAsync(serializable, deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is OperationCanceledException || (e is Api.EtcdException && deadline.IsCancellationRequested))
        {
            return "context deadline exceeded";
        }
        catch (Api.EtcdException e)
        {
            return e.Message;
        }
    }

    // Go's http.Error: the JSON and a newline.
    private static HealthAnswer Unhealthy(string reason) => new(503, $"{{\"health\":\"false\",\"reason\":\"{reason}\"}}\n");
}
