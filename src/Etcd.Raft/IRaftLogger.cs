namespace Etcd.Raft;

/// <summary>
/// Where the library reports notable events (elections, configuration switches, snapshots). The host
/// bridges it to its own log. Nothing on the per-entry path logs.
/// </summary>
public interface IRaftLogger
{
    void Debug(string message);

    void Info(string message);

    void Warn(string message);
}
