using Etcd.Api.V3lockpb;
using Etcd.Server.Concurrency;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's Lock service (v3lockpb): a lock per name, held with a lease.</summary>
public sealed class LockService(EtcdServer server) : Etcd.Api.V3lockpb.Lock.LockBase
{
    private readonly KeyLock _lock = new(new LocalKv(server));

    public override Task<LockResponse> Lock(LockRequest request, ServerCallContext context) => _lock.LockAsync(request, context.CancellationToken);

    public override Task<UnlockResponse> Unlock(UnlockRequest request, ServerCallContext context) => _lock.UnlockAsync(request, context.CancellationToken);
}
