using Etcd.Api.V3lockpb;
using Etcd.Server.Concurrency;
using Etcd.Server.Core;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>etcd's Lock service (v3lockpb): a lock per name, held with a lease.</summary>
public sealed class LockService(EtcdServer server) : Etcd.Api.V3lockpb.Lock.LockBase
{
    private readonly KeyLock _lock = new(new LocalKv(server));

    public override Task<LockResponse> Lock(LockRequest request, ServerCallContext context) => For(context).LockAsync(request, context.CancellationToken);

    public override Task<UnlockResponse> Unlock(UnlockRequest request, ServerCallContext context) => For(context).UnlockAsync(request, context.CancellationToken);

    // With auth enabled the lock's keys are read and written with the caller's permissions.
    private KeyLock For(ServerCallContext context) => server.Auth.Enabled ? new KeyLock(new LocalKv(server, context)) : _lock;
}
