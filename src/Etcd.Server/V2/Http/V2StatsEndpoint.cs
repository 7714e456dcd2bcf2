using System.Text;
using Etcd.Api.Text;
using Etcd.Server.Configuration;
using Etcd.Server.Core;
using Etcd.Server.JsonGateway;
using Etcd.Server.V2.Store;

namespace Etcd.Server.V2.Http;

/// <summary>
/// /v2/stats/self, /v2/stats/leader and /v2/stats/store. The store counters are etcd's; the
/// member and leader statistics carry etcd's fields, but the transport does not measure append
/// counts, rates or follower latencies, so those are zero.
/// </summary>
public sealed class V2StatsEndpoint
{
    private readonly EtcdServer _server;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private DateTimeOffset _leaderSince;

    public V2StatsEndpoint(EtcdServer server)
    {
        _server = server;
        _leaderSince = _started;
        server.Raft.LeaderChanged += _ => _leaderSince = DateTimeOffset.UtcNow;
    }

    public Task SelfAsync(HttpContext context)
    {
        if (V2Answers.RefuseMethod(context, "GET", out var refused)) return refused;
        var raft = _server.Raft;
        var text = new StringBuilder(320).Append("{\"name\":");
        GoJsonString.Append(text, _server.Config.Name);
        text.Append(",\"id\":\"").Append(V2Answers.Hex(_server.MemberId)).Append("\",\"state\":\"")
            .Append(raft.IsLeader ? "StateLeader" : "StateFollower").Append("\",\"startTime\":\"");
        AppendTime(text, _started);
        text.Append("\",\"leaderInfo\":{\"leader\":\"").Append(raft.Leader == 0 ? "" : V2Answers.Hex(raft.Leader)).Append("\",\"uptime\":\"")
            .Append(GoDuration.Format(DateTimeOffset.UtcNow - _leaderSince)).Append("\",\"startTime\":\"");
        AppendTime(text, _leaderSince);
        text.Append("\"},\"recvAppendRequestCnt\":0,\"sendAppendRequestCnt\":0}");
        return V2Answers.JsonAsync(context, 200, text.ToString());
    }

    public Task LeaderAsync(HttpContext context)
    {
        if (V2Answers.RefuseMethod(context, "GET", out var refused)) return refused;
        if (!_server.Raft.IsLeader) return V2Answers.MessageAsync(context, 403, "not current leader");
        var text = new StringBuilder(256).Append("{\"leader\":\"").Append(V2Answers.Hex(_server.MemberId)).Append("\",\"followers\":{");
        var first = true;
        foreach (var member in _server.Members.All.OrderBy(m => m.Id))
        {
            if (member.Id == _server.MemberId) continue;
            if (!first) text.Append(',');
            first = false;
            text.Append('"').Append(V2Answers.Hex(member.Id))
                .Append("\":{\"latency\":{\"current\":0,\"average\":0,\"standardDeviation\":0,\"minimum\":0,\"maximum\":0},\"counts\":{\"fail\":0,\"success\":0}}");
        }
        return V2Answers.JsonAsync(context, 200, text.Append("}}").ToString());
    }

    public Task StoreAsync(HttpContext context)
    {
        if (V2Answers.RefuseMethod(context, "GET", out var refused)) return refused;
        var store = _server.V2Store;
        return V2Answers.JsonAsync(context, 200, store.Stats.ToJson(store.Hub.Count));
    }

    private static void AppendTime(StringBuilder text, DateTimeOffset time) =>
        V2Json.AppendTime(text, (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100);
}
