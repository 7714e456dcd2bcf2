using Etcd.Mvcc;
using Etcd.Server.Api;

namespace Etcd.Server.State;

/// <summary>Maps the store's errors onto etcd's errors.</summary>
public static class MvccErrors
{
    public static EtcdException ToEtcd(MvccException e) => e.Kind switch
    {
        MvccErrorKind.Compacted => EtcdErrors.Compacted,
        MvccErrorKind.FutureRevision => EtcdErrors.FutureRev,
        MvccErrorKind.LeaseNotFound => EtcdErrors.LeaseNotFound,
        MvccErrorKind.KeyNotFound => EtcdErrors.KeyNotFound,
        _ => EtcdErrors.Unknown(e.Message),
    };
}
