using Etcd.Raft;
using Etcd.Server.Logging;

namespace Etcd.Server.Replication;

/// <summary>Sends the Raft library's log lines to the member's zap-style log.</summary>
public sealed class RaftLogBridge(ZapLogger logger) : IRaftLogger
{
    public void Debug(string message) => logger.Debug(message);

    public void Info(string message) => logger.Info(message);

    public void Warn(string message) => logger.Warn(message);
}
