using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Grpc.Core;

namespace Etcd.Server.Membership;

/// <summary>etcd's MoveLeader: the leader hands leadership to a voting member and waits until it has it.</summary>
public static class LeaderTransfer
{
    public static async Task MoveAsync(EtcdServer server, ulong transferee, CancellationToken cancellationToken)
    {
        var raft = server.Raft;
        var lead = raft.Leader;
        if (lead != server.MemberId) throw EtcdErrors.NotLeader;
        if (server.Members.Find(transferee) is not { IsLearner: false }) throw EtcdErrors.BadLeaderTransferee;
        var started = TimeProvider.System.GetTimestamp();
        server.Logger.Info("leadership transfer starting", LogField.Id("local-member-id", server.MemberId),
            LogField.Id("current-leader-member-id", lead), LogField.Id("transferee-member-id", transferee));
        raft.TransferLeadership(transferee);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(server.RequestTimeout);
        var interval = TimeSpan.FromMilliseconds(server.Config.HeartbeatMs);
        while (raft.Leader != transferee)
        {
            try
            {
                await Task.Delay(interval, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Not among etcd's mapped errors, so its clients see it with code Unknown.
                throw EtcdErrors.LeaderTransferTimeout;
            }
        }
        server.Logger.Info("leadership transfer finished", LogField.Id("local-member-id", server.MemberId), LogField.Id("old-leader-member-id", lead),
            LogField.Id("new-leader-member-id", transferee), LogField.Duration("took", TimeProvider.System.GetElapsedTime(started)));
    }
}
