using Etcd.Api.V3electionpb;
using Etcd.Server.Api;
using Etcd.Server.Concurrency;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's Election service (v3electionpb): leaders elected per name, held with a lease.</summary>
public sealed class ElectionService(EtcdServer server) : Election.ElectionBase
{
    private readonly KeyElection _election = new(new LocalKv(server));

    public override Task<CampaignResponse> Campaign(CampaignRequest request, ServerCallContext context) => For(context).CampaignAsync(request, context.CancellationToken);

    public override Task<ProclaimResponse> Proclaim(ProclaimRequest request, ServerCallContext context) => For(context).ProclaimAsync(request, context.CancellationToken);

    public override Task<LeaderResponse> Leader(LeaderRequest request, ServerCallContext context) => For(context).LeaderAsync(request, context.CancellationToken);

    public override Task<ResignResponse> Resign(ResignRequest request, ServerCallContext context) => For(context).ResignAsync(request, context.CancellationToken);

    public override async Task Observe(LeaderRequest request, IServerStreamWriter<LeaderResponse> responseStream, ServerCallContext context)
    {
        using var leaderRequired = server.LeaderRequirement.Enter(context);
        var token = leaderRequired?.Token ?? context.CancellationToken;
        try
        {
            await foreach (var response in For(context).ObserveAsync(request, token).ConfigureAwait(false))
                await responseStream.WriteAsync(response, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leaderRequired?.LeaderLost == true)
        {
            throw EtcdErrors.NoLeader;
        }
    }

    // With auth enabled the election's keys are read and written with the caller's permissions.
    private KeyElection For(ServerCallContext context) => server.Auth.Enabled ? new KeyElection(new LocalKv(server, context)) : _election;
}
