using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's Maintenance service. RPCs not listed here answer Unimplemented (the generated base).</summary>
public sealed class MaintenanceService(EtcdServer server) : Maintenance.MaintenanceBase
{
    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var response = new StatusResponse
        {
            Header = server.Header(server.Kv.CurrentRevision),
            Version = EtcdServer.Version,
            DbSize = server.Backend.SizeBytes,
            DbSizeInUse = server.Backend.SizeInUseBytes,
            Leader = server.Raft.Leader,
            RaftIndex = server.Raft.CommitIndex,
            RaftTerm = server.Raft.Term,
            RaftAppliedIndex = server.Raft.AppliedIndex,
            IsLearner = server.Members.Find(server.MemberId)?.IsLearner ?? false,
        };
        return Task.FromResult(response);
    }

    /// <summary>Alarms arrive with the quota work; until then there are none to list.</summary>
    public override Task<AlarmResponse> Alarm(AlarmRequest request, ServerCallContext context)
    {
        if (request.Action != AlarmRequest.Types.AlarmAction.Get)
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "alarm activation is not implemented yet"));
        return Task.FromResult(new AlarmResponse { Header = server.Header(server.Kv.CurrentRevision) });
    }

    public override Task<DefragmentResponse> Defragment(DefragmentRequest request, ServerCallContext context)
    {
        server.Backend.Defragment();
        return Task.FromResult(new DefragmentResponse { Header = server.Header(server.Kv.CurrentRevision) });
    }
}
