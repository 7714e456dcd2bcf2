using Etcd.Mvcc;
using Etcd.Server.Api;
using Grpc.Core;

namespace Etcd.Server.Apply;

/// <summary>Maps the store's errors onto etcd's gRPC errors.</summary>
public static class MvccErrors
{
    public static RpcException ToRpc(MvccException e) => e.Kind switch
    {
        MvccErrorKind.Compacted => EtcdErrors.Compacted,
        MvccErrorKind.FutureRevision => EtcdErrors.FutureRev,
        MvccErrorKind.LeaseNotFound => EtcdErrors.LeaseNotFound,
        MvccErrorKind.KeyNotFound => EtcdErrors.KeyNotFound,
        _ => new RpcException(new Status(StatusCode.Unknown, e.Message), e.Message),
    };
}
