namespace Etcd.Server.Http;

/// <summary>What etcd's health endpoints ask a member (kept small so the checks can be tested without a server).</summary>
public interface IMemberHealth
{
    /// <summary>Names of the active alarms (etcd's AlarmType names: NOSPACE, CORRUPT).</summary>
    IReadOnlyList<string> ActiveAlarms { get; }

    bool HasLeader { get; }

    bool IsLearner { get; }

    /// <summary>A one-key read, local (serializable) or through a ReadIndex round; throws its error when it fails.</summary>
    Task ReadAsync(bool serializable, CancellationToken cancellationToken);
}
