using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Core;

namespace Etcd.Server.Http;

/// <summary>The health endpoints' view of the running member.</summary>
public sealed class ServerHealth(EtcdServer server) : IMemberHealth
{
    private static readonly RangeRequest OneKey = new() { Key = Google.Protobuf.ByteString.CopyFrom(0), KeysOnly = true, Limit = 1 };

    public IReadOnlyList<string> ActiveAlarms
    {
        get
        {
            var alarms = server.Alarms.All;
            if (alarms.Count == 0) return [];
            var names = new string[alarms.Count];
            for (var i = 0; i < names.Length; i++) names[i] = State.AlarmList.AlarmName(alarms[i].Alarm);
            return names;
        }
    }

    public bool HasLeader => server.Raft.Leader != 0;

    public bool IsLearner => server.Members.Find(server.MemberId) is { IsLearner: true };

    public async Task ReadAsync(bool serializable, CancellationToken cancellationToken)
    {
        if (!serializable) await server.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // etcd reads as root: a health check is not refused by auth.
            server.Kv.Range(OneKey);
        }
        catch (MvccException e)
        {
            throw State.MvccErrors.ToEtcd(e);
        }
    }
}
