using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>Copies of records; records handed out are shared and never changed in place.</summary>
internal static class Records
{
    public static KeyValue WithoutValue(KeyValue record) => new()
    {
        Key = record.Key,
        CreateRevision = record.CreateRevision,
        ModRevision = record.ModRevision,
        Version = record.Version,
        Lease = record.Lease,
    };
}
