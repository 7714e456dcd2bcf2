using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.State;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's KV service: reads from the local store (after a ReadIndex round unless serializable), writes through Raft.</summary>
public sealed class KvService(EtcdServer server) : KV.KVBase
{
    public override async Task<RangeResponse> Range(RangeRequest request, ServerCallContext context)
    {
        RequestValidation.CheckRange(request);
        Interlocked.Increment(ref Metrics.EtcdMetrics.Ranges);
        // etcd times a range from here, its linearizable wait included.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        RangeResponse? response = null;
        EtcdException? error = null;
        try
        {
            if (!request.Serializable) await server.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
            // Reads do not go through Raft, so their permission is checked here, as etcd does.
            var caller = server.Auth.Enabled ? await server.Callers.RequireReadAsync(context, request.Key.Memory, request.RangeEnd.Memory).ConfigureAwait(false) : null;
            try
            {
                response = server.Kv.Range(request);
            }
            catch (MvccException e)
            {
                throw MvccErrors.ToEtcd(e);
            }
            if (caller is not null) server.Callers.CheckUnchanged(caller);
            server.FillHeader(response.Header);
            return response;
        }
        catch (EtcdException e)
        {
            error = e;
            throw;
        }
        finally
        {
            SlowApplyWarning.CheckRange(server.Logger, server.Config.WarningApplyDuration, started, request, response, error);
        }
    }

    public override async Task<PutResponse> Put(PutRequest request, ServerCallContext context)
    {
        RequestValidation.CheckPut(request);
        await server.CheckQuotaAsync(BackendQuota.Cost(request), context.CancellationToken).ConfigureAwait(false);
        var response = (PutResponse)await server.ProposeAsync(new InternalRaftRequest { Put = request }, context).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public override async Task<DeleteRangeResponse> DeleteRange(DeleteRangeRequest request, ServerCallContext context)
    {
        RequestValidation.CheckDelete(request);
        var response = (DeleteRangeResponse)await server.ProposeAsync(new InternalRaftRequest { DeleteRange = request }, context).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }

    public override async Task<TxnResponse> Txn(TxnRequest request, ServerCallContext context)
    {
        RequestValidation.CheckTxn(request, (int)Math.Min(server.Config.MaxTxnOps, int.MaxValue));
        await server.CheckQuotaAsync(BackendQuota.Cost(request), context.CancellationToken).ConfigureAwait(false);
        var response = (TxnResponse)await server.ProposeAsync(new InternalRaftRequest { Txn = request }, context).ConfigureAwait(false);
        // Only the outer header names the member; nested responses carry just their revision, as in etcd.
        server.FillHeader(response.Header);
        return response;
    }

    public override async Task<CompactionResponse> Compact(CompactionRequest request, ServerCallContext context)
    {
        var response = (CompactionResponse)await server.ProposeAsync(new InternalRaftRequest { Compaction = request }, context).ConfigureAwait(false);
        // Physical: answer only once the compacted revisions are gone from the backend.
        if (request.Physical) await server.Kv.WhenCompacted(request.Revision).WaitAsync(context.CancellationToken).ConfigureAwait(false);
        server.FillHeader(response.Header);
        return response;
    }
}
